/**
 * The local control plane module itself: CLI up/status/down with kubectl, process cleanup (also
 * when the owner is killed), cache reuse, and bad input (Go missing, port in use, corrupt cached
 * binary, unwritable cache). Each test uses its own state directory.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isPalisadeError } from '../../lib/core/errors.js';
import type { Progress } from '../../lib/core/progress.js';
import { checkCachedBinary, ensureBinary, ensureControlPlaneBinaries, etcdSpec, startControlPlane, cacheKey } from '../../reconciler/controlplane/index.js';
import { runCli } from '../support/cli.js';
import { processesMatching, waitUntil } from '../support/processes.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const temp = (p: string): Promise<string> => mkdtemp(join(tmpdir(), `palisade-${p}-`));

function recordingProgress(): Progress & { steps: string[] } {
  const steps: string[] = [];
  return { steps, step: (m) => steps.push(m), tick: () => undefined };
}

describe.skipIf(skipWithout('kubectl'))('palisade cluster up / status / down', () => {
  it('starts a cluster kubectl can use, reports it running, and stops every process', async () => {
    const stateDir = await temp('state');
    const env = { PALISADE_STATE_DIR: stateDir };
    const up = await runCli(['cluster', 'up', '--name', 'cli'], env);
    expect(up.code).toBe(0);
    // Progress goes to stderr; stdout is exactly the three parseable lines.
    expect(up.stdout.trim().split('\n').map((l) => l.replace(/ .*$/, ''))).toEqual(['kubeconfig:', 'server:', 'export']);
    expect(up.stderr).toMatch(/kube-apiserver/);
    const kubeconfig = /^kubeconfig: (.+)$/m.exec(up.stdout)?.[1] ?? '';
    expect(up.stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    const ns = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'ns', '-o', 'name']);
    expect(ns.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
    const status = await runCli(['cluster', 'status', '--name', 'cli', '-o', 'json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ health: 'running', versions: { kubernetes: '1.35.4', etcd: '3.6.5' } });
    const clusterDir = dirname(kubeconfig);
    expect(processesMatching(clusterDir)).toHaveLength(2);
    const down = await runCli(['cluster', 'down', '--name', 'cli'], env);
    expect(down.code).toBe(0);
    expect(processesMatching(clusterDir)).toEqual([]);
    const after = await runCli(['cluster', 'status', '--name', 'cli'], env);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/stopped/);
  });

  it('refuses a port that is in use, with a clear message and no process left behind', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const stateDir = await temp('port');
    try {
      const up = await runCli(['cluster', 'up', '--name', 'busy', '--port', String(port)], { PALISADE_STATE_DIR: stateDir });
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(`Cannot use 127.0.0.1:${port} for kube-apiserver: the port is already in use`);
      expect(processesMatching(stateDir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('explains what to do when Go is missing and nothing is cached', async () => {
    const up = await runCli(['cluster', 'up'], {
      PATH: dirname(process.execPath), PALISADE_CACHE_DIR: await temp('nogo-cache'), PALISADE_STATE_DIR: await temp('nogo-state'),
    });
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/The Go toolchain \(go\) was not found on PATH/);
    expect(up.stderr).toMatch(/Install Go .* or .*KUBECONFIG/s);
  });

  it('explains an unwritable cache directory', async () => {
    const file = join(await temp('ro'), 'not-a-dir');
    await writeFile(file, '');
    const up = await runCli(['cluster', 'build'], { PALISADE_CACHE_DIR: join(file, 'cache') });
    expect(up.code).toBe(2);
    expect(up.stderr).toContain(`The palisade cache directory ${join(file, 'cache')}`);
    expect(up.stderr).toMatch(/is not writable \(ENOTDIR\)/);
    expect(up.stderr).toMatch(/PALISADE_CACHE_DIR/);
  });
});

describe('binary cache', () => {
  it('reuses cached binaries on a second run without building', async () => {
    const progress = recordingProgress();
    const binaries = await ensureControlPlaneBinaries({ progress });
    expect(progress.steps.filter((s) => s.startsWith('building'))).toEqual([]);
    expect(await checkCachedBinary(binaries.etcd)).toBeUndefined();
    expect(await checkCachedBinary(binaries.kubeApiserver)).toBeUndefined();
  });

  it('detects a corrupt cached binary and rebuilds it', async () => {
    const cached = (await ensureControlPlaneBinaries({ progress: recordingProgress() })).etcd;
    const cache = await temp('corrupt');
    const target = join(cache, 'bin', 'etcd', cacheKey(etcdSpec()), 'etcd');
    await run('mkdir', ['-p', dirname(target)]);
    await copyFile(cached, target);
    await copyFile(`${cached}.sha256`, `${target}.sha256`);
    await writeFile(target, 'truncated');
    expect(await checkCachedBinary(target)).toMatch(/corrupt/);
    const progress = recordingProgress();
    const rebuilt = await ensureBinary(etcdSpec(), { cacheDir: cache, progress });
    expect(rebuilt).toBe(target);
    expect(progress.steps.some((s) => /unusable \(checksum mismatch .*corrupt\); rebuilding/.test(s))).toBe(true);
    expect(await checkCachedBinary(target)).toBeUndefined();
    const version = await run(target, ['--version']);
    expect(version.stdout).toMatch(/etcd Version: 3\.6\.5/);
  }, 600_000);
});

describe('process cleanup', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) for (const pid of processesMatching(d)) process.kill(pid, 'SIGKILL');
  });

  it('kills etcd and kube-apiserver when the owning process is killed', async () => {
    const dir = await temp('owner');
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/integration/fixtures/start-and-hang.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('READY')) resolve(); });
      child.on('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    expect(processesMatching(`${dir}/`)).toHaveLength(2);
    child.kill('SIGKILL');
    expect(await waitUntil(() => processesMatching(`${dir}/`).length === 0, 15_000)).toBe(true);
  });

  it('stops everything it started when kube-apiserver cannot become ready', async () => {
    const dir = await temp('fail');
    dirs.push(dir);
    const fake = join(await temp('fake-bin'), 'fake-apiserver.sh');
    await writeFile(fake, '#!/bin/sh\necho "E fake kube-apiserver: bad flag" >&2\nexit 3\n', { mode: 0o755 });
    const real = await ensureControlPlaneBinaries({ progress: recordingProgress() });
    const error = await startControlPlane({ dir, progress: recordingProgress(), binaries: { etcd: real.etcd, kubeApiserver: fake } }).catch((e: unknown) => e);
    expect(isPalisadeError(error) && error.code).toBe('ProcessExited');
    expect(String((error as Error).message)).toMatch(/kube-apiserver exited during start-up[\s\S]*fake kube-apiserver: bad flag/);
    expect(processesMatching(`${dir}/`)).toEqual([]);
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toContain('"name"');
  });
});
