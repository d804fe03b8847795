/**
 * Squid (Debian's package, the proxy palisade's egress-proxy configuration is written for) as an
 * oracle: its .debs are fetched once with `apt-get download` (no root, no install) and unpacked
 * under palisade's cache directory; a test starts it on loopback with the generated squid.conf and
 * asks it, request by request, whether a listener forwards to a host and port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from '../../reconciler/controlplane/index.js';

const run = promisify(execFile);

/** Squid and the libraries a stock Debian image lacks. */
const PACKAGES = ['squid', 'squid-common', 'squid-langpack', 'libecap3', 'libltdl7', 'libnetfilter-conntrack3', 'libnfnetlink0', 'libmnl0'];

export interface SquidInstall { readonly version: string; readonly root: string }

async function candidate(): Promise<string> {
  const { stdout } = await run('apt-cache', ['policy', 'squid']);
  const v = /Candidate:\s*(\S+)/.exec(stdout)?.[1];
  if (v === undefined || v === '(none)') throw new Error('apt-cache knows no squid package: run `apt-get update` first');
  return v;
}

/** Squid unpacked under `<cache>/squid/<version>` (downloaded on first use). */
export async function ensureSquid(): Promise<SquidInstall> {
  const version = await candidate();
  const dir = join(cacheDir(), 'squid', version.replace(/[^\w.+-]/g, '_'));
  const root = join(dir, 'root');
  if (existsSync(join(dir, '.complete'))) return { version, root };
  await rm(dir, { recursive: true, force: true });
  const debs = join(dir, 'debs');
  await mkdir(debs, { recursive: true });
  await chmod(debs, 0o777); // apt drops to user _apt for downloads when it can
  await run('apt-get', ['download', ...PACKAGES], { cwd: debs });
  for (const f of (await readdir(debs)).filter((n) => n.endsWith('.deb')).sort()) await run('dpkg-deb', ['-x', join(debs, f), root]);
  await writeFile(join(dir, '.complete'), `${version}\n`);
  return { version, root };
}

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port')))); });
});

export interface RunningSquid {
  /** Loopback port Squid listens on for a configured listener port. */
  readonly portOf: ReadonlyMap<number, number>;
  stop(): Promise<void>;
}

const waitForPort = async (port: number, child: ChildProcess, log: () => string): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`squid exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((res) => { const c = connect(port, '127.0.0.1', () => { c.destroy(); res(true); }); c.on('error', () => res(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`squid did not listen on ${port}: ${log()}`);
};

/**
 * Starts Squid with a generated squid.conf: each `http_port N` moves to a free loopback port (its
 * name, and so every ACL, unchanged); files go to a scratch directory; every `names` entry resolves
 * to 127.0.0.1 so an allowed CONNECT fails fast at connect time instead of waiting for DNS.
 */
export async function startSquid(install: SquidInstall, conf: string, names: readonly string[]): Promise<RunningSquid> {
  const work = await mkdtemp(join(tmpdir(), 'palisade-squid-'));
  await chmod(work, 0o777);
  const portOf = new Map<number, number>();
  let text = conf;
  for (const m of conf.matchAll(/^http_port (\d+)\b/gm)) portOf.set(Number(m[1]), await freePort());
  text = text.replace(/^http_port (\d+)\b/gm, (_, p: string) => `http_port 127.0.0.1:${portOf.get(Number(p))}`);
  const r = install.root;
  await writeFile(join(work, 'hosts'), names.map((n) => `127.0.0.1 ${n}\n`).join(''));
  text += [
    '', `pid_filename ${work}/squid.pid`, `cache_log ${work}/cache.log`, 'access_log none', `coredump_dir ${work}`,
    `error_directory ${r}/usr/share/squid-langpack/templates`, `icon_directory ${r}/usr/share/squid/icons`,
    `mime_table ${r}/usr/share/squid/mime.conf`, `unlinkd_program ${r}/usr/lib/squid/unlinkd`,
    `hosts_file ${work}/hosts`, 'dns_nameservers 127.0.0.1', 'netdb_filename none', 'shutdown_lifetime 0 seconds',
    ...(process.getuid?.() === 0 ? ['cache_effective_user nobody'] : []), '',
  ].join('\n');
  await writeFile(join(work, 'squid.conf'), text);
  let output = '';
  const child = spawn(join(r, 'usr/sbin/squid'), ['-N', '-f', join(work, 'squid.conf')], { env: { LD_LIBRARY_PATH: join(r, 'usr/lib/x86_64-linux-gnu'), PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  for (const port of portOf.values()) await waitForPort(port, child, () => output);
  return {
    portOf,
    async stop() {
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** Squid's verdict on `CONNECT host:port` at a loopback port: denied means its ERR_ACCESS_DENIED page. */
export function squidVerdict(port: number, host: string, destPort: number): Promise<'allow' | 'deny'> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`CONNECT ${host}:${destPort} HTTP/1.1\r\nHost: ${host}:${destPort}\r\n\r\n`));
    let buf = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`squid gave no answer for ${host}:${destPort} within 10 s (got "${buf}")`)); }, 10_000);
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!buf.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      s.destroy();
      resolve(/^X-Squid-Error: ERR_ACCESS_DENIED/m.test(buf) ? 'deny' : 'allow');
    });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
