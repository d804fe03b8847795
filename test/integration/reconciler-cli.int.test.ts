/**
 * The reconciler CLI as users and CI run it: `palisade drift` exit codes and every report format
 * (JUnit parsed, SARIF checked against its JSON schema), `reconcile --once`, `reconcile --watch`
 * health and metrics, and bad input (unreachable cluster, invalid kubeconfig, unknown Git ref,
 * a synth error) that must exit >= 2 without writing anything.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv04Module from 'ajv-draft-04';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../reconciler/controlplane/index.js';
import { LeaderLease } from '../../reconciler/engine/lease.js';
import { inventoryName, inventoryNamespace } from '../../reconciler/inventory/inventory.js';
import { runCli } from '../support/cli.js';
import { eventually, testClient, uniqueName } from '../support/cluster.js';
import { gitRepoOf, makeSource } from '../support/source.js';
import { REPO_ROOT } from '../support/shared.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

async function tamper(suffix: string): Promise<void> {
  const id = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${suffix}`, name: 'agent-egress' };
  const live = (await client.get(id))!;
  await client.replace({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, sneaky: 'yes' } } }, { fieldManager: 'kubectl-label' });
}

describe('palisade drift and reconcile --once', () => {
  it('exit 1 on drift and 0 when clean, in every format', async () => {
    const suffix = uniqueName('d');
    const { dir, cluster } = await makeSource(suffix);
    const args = (...a: string[]): string[] => [...a, '--source', dir, '-c', cluster, '--kubeconfig', kubeconfig()];
    const before = await runCli(args('drift'));
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/drift Namespace\/agents-\S+ \(missing\)/);
    const applied = await runCli(args('reconcile', '--once'));
    expect(applied.stderr).toMatch(/created NetworkPolicy\/agents-\S+\/agent-egress/);
    expect(applied.code).toBe(0);
    const clean = await runCli(args('drift'));
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/no drift/);

    await tamper(suffix);
    const text = await runCli(args('drift'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/\+ \/metadata\/labels\/sneaky: "yes" \(by kubectl-label at \d{4}-/);
    const md = await runCli(args('drift', '-f', 'markdown'));
    expect(md.stdout).toMatch(/\| `NetworkPolicy\/agents-\S+\/agent-egress` \| modified \|/);
    const json = JSON.parse((await runCli(args('drift', '-f', 'json'))).stdout) as Array<{ items: unknown[] }>;
    expect(json[0]?.items).toHaveLength(1);

    const junitFile = join(dir, 'drift.xml');
    expect((await runCli(args('drift', '-f', 'junit', '-o', junitFile))).code).toBe(1);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junitFile, 'utf8')) as { testsuites: { testsuite: { '@_tests': string; '@_failures': string; testcase: Array<{ '@_name': string; failure?: unknown }> } } };
    const suite = junit.testsuites.testsuite;
    expect(Number(suite['@_failures'])).toBe(1);
    expect(Number(suite['@_tests'])).toBeGreaterThan(5);
    expect(suite.testcase.filter((c) => c.failure !== undefined).map((c) => c['@_name'])).toEqual([`NetworkPolicy/agents-${suffix}/agent-egress`]);

    const sarif = JSON.parse((await runCli(args('drift', '-f', 'sarif'))).stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    // ajv-draft-04 is CommonJS: its class is the default export.
    const Ajv04 = Ajv04Module as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } };
    const validate = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toEqual(['palisade/drift-modified']);

    expect((await runCli(args('reconcile', '--once'))).code).toBe(0);
    expect((await runCli(args('drift'))).code).toBe(0);
  });

  it('reads policies from a Git repository at a ref', async () => {
    const suffix = uniqueName('g');
    const { dir, cluster } = await makeSource(suffix);
    const bare = gitRepoOf(dir);
    const ok = await runCli(['drift', '--git', bare, '--ref', 'main', '-c', cluster, '--kubeconfig', kubeconfig(), '-f', 'json'], {}, REPO_ROOT);
    expect(ok.code).toBe(1);
    expect((JSON.parse(ok.stdout) as Array<{ revision: string }>)[0]?.revision).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('bad input: clear message, exit >= 2, nothing written', () => {
  it('an unreachable cluster', async () => {
    const { dir, cluster } = await makeSource(uniqueName('u'));
    const port = await freePort();
    const cfg = join(dir, 'unreachable.kubeconfig');
    await writeFile(cfg, `apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: x, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n`);
    const r = await runCli(['reconcile', '--once', '--source', dir, '-c', cluster, '--kubeconfig', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`Cluster at https://127.0.0.1:${port} is unreachable`));
  });

  it('an invalid kubeconfig', async () => {
    const { dir, cluster } = await makeSource(uniqueName('k'));
    const cfg = join(dir, 'broken.kubeconfig');
    await writeFile(cfg, 'this: [is not: a kubeconfig');
    const r = await runCli(['drift', '--source', dir, '-c', cluster, '--kubeconfig', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot load kubeconfig .*broken\.kubeconfig/);
  });

  it('a Git ref that does not exist', async () => {
    const { dir, cluster } = await makeSource(uniqueName('r'));
    const bare = gitRepoOf(dir);
    const r = await runCli(['drift', '--git', bare, '--ref', 'no-such-branch', '-c', cluster, '--kubeconfig', kubeconfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Git ref "no-such-branch" does not exist/);
  });

  it('a synth error writes nothing to the cluster', async () => {
    const suffix = uniqueName('s');
    const { dir, cluster } = await makeSource(suffix, { crossZone: true });
    const r = await runCli(['reconcile', '--once', '--source', dir, '-c', cluster, '--kubeconfig', kubeconfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CrossZone: agent "agent" \(zone z\) may not reach endpoint "tool" in zone other/);
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: `agents-${suffix}` })).toBeUndefined();
  });
});

/** palisade.yaml probes for a makeSource repository: agent → tool on 8080 must stay allowed. */
const probeConfig = (suffix: string): string => `review:\n  probes:\n    - {name: agent reaches its tool, from: agents-${suffix}/agent, to: tools-${suffix}/tool, port: TCP 8080, expect: allow}\n`;

describe('probes gate reconcile --once', () => {
  it('a revision that violates a probe exits 1 and writes nothing; --allow-probe-failures applies it', async () => {
    const suffix = uniqueName('p');
    const { dir, cluster } = await makeSource(suffix);
    await writeFile(join(dir, 'palisade.yaml'), probeConfig(suffix));
    execFileSync('sed', ['-i', 's/Port.tcp(8080)/Port.tcp(9090)/', join(dir, 'policies', 'index.ts')]);
    const args = ['reconcile', '--once', '--source', dir, '-c', cluster, '--kubeconfig', kubeconfig()];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`${cluster}: revision \\S+ violates probe "agent reaches its tool" \\(expects allow, the policies deny\\)`));
    expect(refused.stderr).toContain('nothing applied');
    for (const ns of [`agents-${suffix}`, `tools-${suffix}`]) expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeUndefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'palisade-system', name: inventoryName(cluster) })).toBeUndefined();

    const forced = await runCli([...args, '--allow-probe-failures']);
    expect(forced.stderr).toContain('applying anyway (--allow-probe-failures)');
    expect(forced.code).toBe(0);
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `tools-${suffix}`, name: 'tool-ingress' })).toBeDefined();
  });
});

/** SIGTERM and wait for exit (at once when it already exited, SIGKILL after 10 s). */
async function stopChild(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `reconcile --watch` following a bare Git repository, its logs collected, and the tool's ingress port as applied. */
async function watchGit(bare: string, cluster: string, suffix: string): Promise<{ child: ReturnType<typeof spawn>; port: number; logs: () => string; toolPort: () => Promise<unknown> }> {
  const port = await freePort();
  // The cluster is new: its first revision is the one the operator reviewed (the bare repository's main now).
  const first = execFileSync('git', ['rev-parse', 'main'], { cwd: bare, encoding: 'utf8' }).trim();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/palisade.js'), 'reconcile', '--watch', '--git', bare, '--ref', 'main', '-c', cluster, '--kubeconfig', kubeconfig(), '--listen', `127.0.0.1:${port}`, '--poll-interval', '1s', '--trust-revision', first], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let logs = '';
  child.stderr?.on('data', (d: Buffer) => { logs += d.toString(); });
  const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `tools-${suffix}`, name: 'tool-ingress' };
  const toolPort = async (): Promise<unknown> => ((await client.get(ingress))?.['spec'] as { ingress?: Array<{ ports: Array<{ port: number }> }> } | undefined)?.ingress?.[0]?.ports[0]?.port;
  return { child, port, logs: () => logs, toolPort };
}

/** Commits and pushes a revision that moves the tool from 8080 to 9090. */
function pushToolOn9090(dir: string, bare: string, message: string): void {
  execFileSync('sed', ['-i', 's/Port.tcp(8080)/Port.tcp(9090)/', join(dir, 'policies', 'index.ts')]);
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qam', message], { cwd: dir });
  execFileSync('git', ['push', '-q', bare, 'main'], { cwd: dir });
}

describe('palisade reconcile --watch', () => {
  it('follows new Git revisions', { timeout: 240_000 }, async () => {
    const suffix = uniqueName('v');
    const { dir, cluster } = await makeSource(suffix);
    const bare = gitRepoOf(dir);
    const { child, logs: logsOf, toolPort: port0 } = await watchGit(bare, cluster, suffix);
    try {
      await eventually(port0, (p) => p === 8080, 60_000);
      pushToolOn9090(dir, bare, 'tool moves to 9090');
      await eventually(port0, (p) => p === 9090, 60_000);
      expect(logsOf()).toMatch(/"msg":"new revision"/);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logsOf().slice(-3000)}`);
    } finally {
      await stopChild(child);
    }
  });

  it('stays on the last good revision when a new one violates a probe, with a metric, an Event and a log line', { timeout: 240_000 }, async () => {
    const suffix = uniqueName('q');
    const { dir, cluster } = await makeSource(suffix);
    await writeFile(join(dir, 'palisade.yaml'), probeConfig(suffix));
    const bare = gitRepoOf(dir);
    const { child, port, logs: logsOf, toolPort: port0 } = await watchGit(bare, cluster, suffix);
    try {
      await eventually(port0, (p) => p === 8080, 60_000);
      pushToolOn9090(dir, bare, 'tool moves to 9090, breaking the probe');
      const refused = new RegExp(`palisade_revisions_refused_total\\{cluster="${cluster}",reason="probe"\\} 1`);
      await eventually(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => ''), (m) => refused.test(m), 60_000);
      const line = JSON.parse(logsOf().split('\n').find((l) => l.includes('revision refused')) ?? '{}') as { cluster?: string; probes?: string[] };
      expect(line).toMatchObject({ cluster, probes: ['agent reaches its tool'] });
      const events = await client.list('v1', 'Event', { namespace: 'palisade-system', labelSelector: `palisade.dev/cluster=${cluster}` });
      expect(events.map((e) => [e['reason'], e['message']])).toEqual([['ProbeFailed', expect.stringContaining('violates probe "agent reaches its tool"')]]);
      // The cluster keeps the last good revision, and drift is still corrected meanwhile.
      expect(await port0()).toBe(8080);
      await tamper(suffix);
      await eventually(() => Promise.resolve(logsOf()), (l) => l.includes('"msg":"drift corrected"'), 10_000);
      expect(await port0()).toBe(8080);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logsOf().slice(-3000)}`);
    } finally {
      await stopChild(child);
    }
  });

  it('serves /readyz and /metrics, corrects drift, and stops on SIGTERM', async () => {
    const suffix = uniqueName('w');
    const { dir, cluster } = await makeSource(suffix);
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/palisade.js'), 'reconcile', '--watch', '--source', dir, '-c', cluster, '--kubeconfig', kubeconfig(), '--listen', `127.0.0.1:${port}`, '--poll-interval', '1s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    child.stderr.on('data', (d: Buffer) => { logs += d.toString(); });
    try {
      await eventually(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (s) => s === 200, 30_000);
      await tamper(suffix);
      await eventually(() => Promise.resolve(logs), (l) => l.includes('"msg":"drift corrected"'), 10_000);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`palisade_reconcile_passes_total\\{cluster="${cluster}",result="ok"\\} 1`));
      expect(metrics).toMatch(/palisade_correction_latency_seconds_count\{cluster="[^"]+"\} [1-9]/);
      expect(JSON.parse(logs.split('\n').find((l) => l.includes('drift corrected')) ?? '{}')).toMatchObject({ cluster, object: `NetworkPolicy/agents-${suffix}/agent-egress`, managers: ['kubectl-label'] });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logs.slice(-3000)}`);
    } finally {
      await stopChild(child);
    }
  });

  it('leads cluster B while another replica holds cluster A\'s Lease, and takes A over once that Lease is released', { timeout: 240_000 }, async () => {
    const suffix = uniqueName('l');
    const { dir } = await makeSource(suffix);
    // Two clusters from one source, each with its own namespaces (named after the cluster).
    await writeFile(join(dir, 'policies', 'index.ts'), `import type { Construct } from 'constructs';
import { Agent, Port, Tool, Zone, type ClusterSpec } from '../lib/index.js';

export function definePolicies(scope: Construct, cluster: ClusterSpec): void {
  const zone = new Zone(scope, 'z');
  new Agent(scope, 'agent', { namespace: \`agents-\${cluster.name}\`, zone, podLabels: { app: 'agent' } })
    .allowTo(new Tool(scope, 'tool', { namespace: \`tools-\${cluster.name}\`, zone, podLabels: { app: 'tool' }, ports: [Port.tcp(8080)] }));
}
`);
    const [a, b] = [`a-${suffix}`, `b-${suffix}`];
    for (const c of [a, b]) {
      execFileSync('mkdir', ['-p', join(dir, 'clusters', c)]);
      await writeFile(join(dir, 'clusters', c, 'cluster.yaml'), 'network: kubernetes\nadmission: kyverno\n');
    }
    execFileSync('rm', ['-rf', join(dir, 'clusters', `cli-${suffix}`)]);
    await client.apply(inventoryNamespace());
    const other = new LeaderLease(client, { name: `palisade-reconciler-${a}`, identity: 'other-replica', durationSeconds: 3600 });
    expect(await other.tryAcquire()).toBe(true);
    const inventory = (c: string): Promise<unknown> => client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'palisade-system', name: inventoryName(c) });
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/palisade.js'), 'reconcile', '--watch', '--source', dir, '-c', a, '-c', b, '--kubeconfig', kubeconfig(), '--listen', `127.0.0.1:${port}`, '--poll-interval', '1s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    child.stderr.on('data', (d: Buffer) => { logs += d.toString(); });
    try {
      await eventually(() => inventory(b), (x) => x !== undefined, 60_000);
      // B is led and reconciled; A is not touched while the other replica holds its Lease, and the
      // process is not ready (it does not lead every cluster it was given).
      expect(await inventory(a)).toBeUndefined();
      expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${a}`, name: 'agent-egress' })).toBeUndefined();
      expect(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status)).not.toBe(200);
      // The other replica steps down (its Lease is deleted): this one takes A over.
      await client.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'palisade-system', name: `palisade-reconciler-${a}` });
      await eventually(() => inventory(a), (x) => x !== undefined, 60_000);
      expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${a}`, name: 'agent-egress' })).toBeDefined();
      await eventually(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (st) => st === 200, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logs.slice(-3000)}`);
    } finally {
      await stopChild(child);
    }
  });
});
