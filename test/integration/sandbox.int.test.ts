/**
 * Policy code is code: every command that synthesizes runs it in a sandbox without cluster
 * credentials or network. Policy code that reads the kubeconfig or the ServiceAccount token,
 * starts a process to do it, looks for credentials in its environment, never returns, floods
 * memory, or reaches the network fails the revision with a clear error (exit 2) or gets nothing,
 * and leaves the cluster untouched; a repository that links, by symlink, to anything outside
 * itself (/proc, devices, the kubeconfig) or holds a device, a FIFO or an oversized file is
 * refused before any code runs, by synth, drift, diff and reconcile alike.
 */
import { execFileSync } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { testClient, uniqueName } from '../support/cluster.js';
import { gitRepoOf, makeSource } from '../support/source.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

/** A policy repository whose definePolicies runs `hostile` before declaring one agent. */
async function hostileSource(hostile: string, imports = ''): Promise<{ dir: string; cluster: string; namespace: string }> {
  const suffix = uniqueName('sbx');
  const { dir, cluster } = await makeSource(suffix);
  const file = join(dir, 'policies', 'index.ts');
  const original = readFileSync(file, 'utf8');
  const patched = `${imports}${original}`.replace('export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {\n', `export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {\n  ${hostile}\n`);
  expect(patched).toContain(hostile);
  await writeFile(file, patched);
  return { dir, cluster, namespace: `agents-${suffix}` };
}

async function reconcile(s: { dir: string; cluster: string }, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return runCli(['reconcile', '--once', '--source', s.dir, '-c', s.cluster, '--kubeconfig', kubeconfig()], env);
}

async function untouched(namespace: string): Promise<void> {
  expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })).toBeUndefined();
}

describe('the synthesis sandbox', () => {
  it('denies policy code the kubeconfig, naming the file, and writes nothing', async () => {
    const s = await hostileSource(`readFileSync(${JSON.stringify(kubeconfig())});`, "import { readFileSync } from 'node:fs';\n");
    const r = await reconcile(s);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policies\/index\.ts:\d+:\d+: Access to this API has been restricted/);
    expect(r.stderr).toContain(`the synthesis sandbox denied FileSystemRead to ${kubeconfig()}`);
    expect(r.stderr).not.toMatch(/created /);
    await untouched(s.namespace);
  }, 120_000);

  it('denies the ServiceAccount token and starting a process to read it', async () => {
    const token = await hostileSource("readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token');", "import { readFileSync } from 'node:fs';\n");
    const t = await reconcile(token);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('denied FileSystemRead to /var/run/secrets/kubernetes.io/serviceaccount/token');
    await untouched(token.namespace);

    const spawned = await hostileSource(`execFileSync('cat', [${JSON.stringify(kubeconfig())}]);`, "import { execFileSync } from 'node:child_process';\n");
    const p = await reconcile(spawned);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/the synthesis sandbox denied ChildProcess/);
    await untouched(spawned.namespace);
  }, 120_000);

  it('gives policy code an empty environment', async () => {
    const s = await hostileSource("if (Object.keys(process.env).some((k) => /KUBE|TOKEN|HOME|PATH/.test(k))) throw new Error(`credentials in env: ${Object.keys(process.env).join(',')}`);");
    const r = await reconcile(s, { KUBECONFIG: kubeconfig(), AWS_SECRET_ACCESS_KEY: 'x', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(r.stderr).not.toMatch(/credentials in env/);
    expect(r.code, r.stderr).toBe(0);
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: s.namespace })).toBeDefined();
  }, 120_000);

  it('stops policy code that never returns at the time limit', async () => {
    const s = await hostileSource('for (;;) { /* spin */ }');
    const r = await reconcile(s, { PALISADE_SYNTH_TIMEOUT: '3' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did not finish within 3 s and was stopped/);
    expect(r.stderr).toMatch(/PALISADE_SYNTH_TIMEOUT/);
    await untouched(s.namespace);
  }, 120_000);

  it('stops policy code that exhausts the heap limit', async () => {
    const s = await hostileSource('const hog: string[] = []; for (;;) hog.push("x".repeat(1 << 20) + String(hog.length));');
    const r = await reconcile(s, { PALISADE_SYNTH_MEMORY: '64', PALISADE_SYNTH_TIMEOUT: '60' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ran out of memory \(heap limit 64 MB/);
    await untouched(s.namespace);
  }, 120_000);
});

/** A listener on loopback that counts what reaches it (TCP connections, HTTP requests, UDP datagrams). */
async function listeners(): Promise<{ tcp: number; http: number; udp: number; hits: () => number; close: () => void }> {
  let hits = 0;
  const tcp = createTcpServer((c) => { hits++; c.destroy(); });
  const http = createHttpServer((_q, res) => { hits++; res.end('ok'); });
  const udp = createSocket('udp4');
  udp.on('message', () => { hits++; });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = (a: unknown): number => (a as { port: number }).port;
  return { tcp: port(tcp.address()), http: port(http.address()), udp: udp.address().port, hits: () => hits, close: () => { tcp.close(); http.close(); udp.close(); } };
}

describe('the synthesis sandbox: no network', () => {
  it('gives policy code no TCP, HTTP, UDP or DNS: nothing reaches a listener on loopback, and synthesis goes on', async () => {
    const l = await listeners();
    try {
      const tries = `import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
const attempts = await Promise.all([
  fetch('http://127.0.0.1:${l.http}/exfiltrate').then(() => 'fetch', () => ''),
  new Promise((ok) => { const s = connect(${l.tcp}, '127.0.0.1'); s.on('connect', () => ok('tcp')); s.on('error', () => ok('')); }),
  new Promise((ok) => { try { const u = createSocket('udp4'); u.on('error', () => ok('')); u.send('x', ${l.udp}, '127.0.0.1', (e) => ok(e ? '' : 'udp')); } catch { ok(''); } }),
  dns.lookup('localhost').then(() => 'dns', () => ''),
]);
if (attempts.some(Boolean)) throw new Error(\`network reached: \${attempts.filter(Boolean).join(', ')}\`);
`;
      const s = await hostileSource('', tries);
      const r = await reconcile(s);
      expect(r.stderr).not.toMatch(/network reached/);
      expect(r.code, r.stderr).toBe(0);
      // The oracle: the listeners, not what policy code says about itself.
      await new Promise((res) => setTimeout(res, 200));
      expect(l.hits()).toBe(0);
    } finally {
      l.close();
    }
  }, 120_000);

  it('caps Buffers and other memory outside the heap with it', async () => {
    const s = await hostileSource('const hog: Buffer[] = []; for (;;) hog.push(Buffer.alloc(64 << 20, 1));');
    const r = await reconcile(s, { PALISADE_SYNTH_MEMORY: '64', PALISADE_SYNTH_TIMEOUT: '60' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ran out of memory \(heap limit 64 MB, Buffers and other memory capped with it\)/);
    await untouched(s.namespace);
  }, 120_000);
});

describe('the synthesis sandbox: hermetic', () => {
  it('gives policy code a fixed clock and seeded randomness: two syntheses of one revision are byte-identical', async () => {
    const s = await hostileSource("if (Date.now() !== Date.UTC(2000, 0, 1) || new Date().getUTCFullYear() !== 2000) throw new Error(`clock leaks: ${new Date().toISOString()}`);\n  new Agent(scope, 'dice', { namespace: `dice-${String(Math.random()).slice(2, 10)}`, zone: new Zone(scope, 'dz'), podLabels: { roll: String(Math.random()).slice(2, 12), at: String(Date.now()) } });");
    const out = (n: number): string => join(s.dir, `out-${n}`);
    for (const n of [1, 2]) {
      const r = await runCli(['synth', '--source', s.dir, '-c', s.cluster, '-o', out(n)], { PALISADE_SYNTH_CACHE: 'off' });
      expect(r.code, r.stderr).toBe(0);
    }
    const files = (dir: string): string => execFileSync('sh', ['-c', 'find . -type f | sort | xargs sha256sum'], { cwd: join(dir, s.cluster), encoding: 'utf8' });
    expect(files(out(1))).toBe(files(out(2)));
    expect(files(out(1))).toMatch(/namespace\.dice-\d{8}\.yaml/);
  }, 120_000);
});

/** A repository file planted before synthesis, and what the refusal says. */
interface Escape { readonly name: string; readonly plant: (dir: string, cluster: string) => void; readonly refusal: RegExp }

const ESCAPES: readonly Escape[] = [
  { name: 'a symlink to /proc/self/environ', plant: (d) => symlinkSync('/proc/self/environ', join(d, 'policies', 'env.json')), refusal: /policies\/env\.json is a symlink to \/proc\/\d+\/environ, outside the repository/ },
  { name: 'a symlink to /proc/self/root (the whole filesystem)', plant: (d) => symlinkSync('/proc/self/root', join(d, 'policies', 'root')), refusal: /policies\/root is a symlink to \S+, outside the repository/ },
  { name: 'a symlink to the kubeconfig', plant: (d) => symlinkSync(inject('kubeconfig'), join(d, 'policies', 'kube.yaml')), refusal: /policies\/kube\.yaml is a symlink to \S+, outside the repository/ },
  { name: 'a symlink to /dev/zero in clusters/', plant: (d, c) => symlinkSync('/dev/zero', join(d, 'clusters', c, 'zero')), refusal: /clusters\/\S+\/zero is a symlink to \/dev\/zero, outside the repository/ },
  { name: 'a relative symlink climbing out', plant: (d) => symlinkSync('../../../../../../../../etc/passwd', join(d, 'policies', 'passwd')), refusal: /policies\/passwd is a symlink to \/etc\/passwd, outside the repository/ },
  { name: 'a dangling symlink', plant: (d) => symlinkSync('nowhere.json', join(d, 'policies', 'gone.json')), refusal: /policies\/gone\.json is a symlink to \S+ that does not resolve/ },
  { name: 'a symlinked cluster.yaml', plant: (d, c) => { rmSync(join(d, 'clusters', c, 'cluster.yaml')); symlinkSync('/etc/hostname', join(d, 'clusters', c, 'cluster.yaml')); }, refusal: /cluster\.yaml is not a regular file|cluster\.yaml is a symlink to \/etc\/hostname, outside the repository/ },
  { name: 'a FIFO', plant: (d) => execFileSync('mkfifo', [join(d, 'policies', 'pipe')]), refusal: /policies\/pipe is not a regular file or folder/ },
  { name: 'a file over the size limit', plant: (d) => writeFileSync(join(d, 'policies', 'big.json'), Buffer.alloc((16 << 20) + 1, 32)), refusal: /policies\/big\.json is 16777217 bytes, over the 16777216-byte limit per file/ },
];

describe('the synthesis sandbox: nothing but the repository\'s own regular files', () => {
  it.each(ESCAPES)('refuses $name before any policy code runs (reconcile)', async (e) => {
    const s = await hostileSource('');
    e.plant(s.dir, s.cluster);
    const r = await reconcile(s);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(e.refusal);
    await untouched(s.namespace);
  }, 120_000);

  it('refuses a link out of the repository in synth, drift and diff too, and follows one inside it', async () => {
    const s = await hostileSource('');
    const bare = gitRepoOf(s.dir);
    expect(bare).toBeTruthy();
    // Inside the repository: followed (a shared data file linked into policies/).
    mkdirSync(join(s.dir, 'data'), { recursive: true });
    writeFileSync(join(s.dir, 'data', 'shared.json'), '{}\n');
    symlinkSync('../data/shared.json', join(s.dir, 'policies', 'shared.json'));
    const inside = await runCli(['synth', '--source', s.dir, '-c', s.cluster, '-o', join(s.dir, 'out')]);
    expect(inside.code, inside.stderr).toBe(0);
    symlinkSync('/proc/self/environ', join(s.dir, 'policies', 'env.json'));
    const refusal = /policies\/env\.json is a symlink to \/proc\/\d+\/environ, outside the repository/;
    for (const args of [
      ['synth', '--source', s.dir, '-c', s.cluster, '-o', join(s.dir, 'out')],
      ['drift', '--source', s.dir, '-c', s.cluster, '--kubeconfig', kubeconfig()],
      ['diff', '--base', 'HEAD', '--source', s.dir, '-c', s.cluster],
    ]) {
      const r = await runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(refusal);
    }
  }, 180_000);
});
