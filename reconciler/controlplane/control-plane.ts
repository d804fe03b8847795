import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PalisadeError } from '../../lib/core/errors.js';
import type { Progress } from '../../lib/core/progress.js';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './binaries.js';
import { renderKubeconfig } from './kubeconfig.js';
import { clusterDir } from './paths.js';
import { generatePki, type ControlPlanePki } from './pki.js';
import { assertPortFree, freePort } from './ports.js';
import { isAlive, logTail, spawnDaemon, startGuardian, stopProcesses } from './processes.js';
import { waitForOk } from './readiness.js';
import { apiserverArgs, etcdArgs, type Layout } from './flags.js';
import { ETCD_VERSION, KUBERNETES_VERSION } from './versions.js';

/** What is recorded about a running local control plane (`state.json` in its directory). */
export interface ControlPlaneState {
  readonly name: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly ports: { readonly apiserver: number; readonly etcdClient: number; readonly etcdPeer: number };
  readonly pids: { readonly etcd: number; readonly apiserver: number };
  readonly versions: { readonly kubernetes: string; readonly etcd: string };
  readonly startedAt: string;
}

export interface StartOptions {
  /** @default 'local' */
  readonly name?: string;
  /** Cluster directory. @default clusterDir(name) */
  readonly dir?: string;
  /** Secure port of kube-apiserver. @default a free port */
  readonly apiserverPort?: number;
  /** Kill the control plane when this process exits (tests). @default undefined: keep running */
  readonly ownerPid?: number;
  /** Prebuilt binaries. @default ensureControlPlaneBinaries() (built and cached) */
  readonly binaries?: ControlPlaneBinaries;
  readonly progress: Progress;
  /** @default 90000 */
  readonly readyTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const STATE_FILE = 'state.json';

/** Where a control plane in `dir` keeps its data and PKI. */
function layoutPaths(dir: string): Layout {
  const pkiDir = join(dir, 'pki');
  return {
    dir, etcdData: join(dir, 'etcd'), certDir: pkiDir,
    caCert: join(pkiDir, 'ca.crt'), servingCert: join(pkiDir, 'apiserver.crt'), servingKey: join(pkiDir, 'apiserver.key'),
    saKey: join(pkiDir, 'sa.key'), saPub: join(pkiDir, 'sa.pub'),
  };
}

async function layoutFor(dir: string, pki: ControlPlanePki): Promise<Layout> {
  const l = layoutPaths(dir);
  await mkdir(l.certDir, { recursive: true, mode: 0o700 });
  await Promise.all([
    writeFile(l.caCert, pki.caCert), writeFile(l.servingCert, pki.servingCert),
    writeFile(l.servingKey, pki.servingKey, { mode: 0o600 }), writeFile(l.saKey, pki.serviceAccountKey, { mode: 0o600 }),
    writeFile(l.saPub, pki.serviceAccountPub),
  ]);
  return l;
}

async function choosePorts(opts: StartOptions): Promise<ControlPlaneState['ports']> {
  if (opts.apiserverPort !== undefined) await assertPortFree(opts.apiserverPort, 'kube-apiserver');
  return { apiserver: opts.apiserverPort ?? (await freePort()), etcdClient: await freePort(), etcdPeer: await freePort() };
}

/** Refuses to start over a cluster of the same name that is still running. */
async function assertNotRunning(dir: string): Promise<void> {
  const previous = await readState(dir);
  if (previous && (isAlive(previous.pids.apiserver) || isAlive(previous.pids.etcd))) {
    throw new PalisadeError('InvalidInput', `Local cluster "${previous.name}" is already running at ${previous.server} (kubeconfig ${previous.kubeconfig}).`, {
      hint: 'Use it as it is, or stop it first with `palisade cluster down`.',
    });
  }
}

async function waitReady(state: ControlPlaneState, pki: ControlPlanePki, timeoutMs: number, progress: Progress): Promise<void> {
  const died = (pid: number, what: string) => (): string | undefined => (isAlive(pid) ? undefined : `${what} exited during start-up`);
  await waitForOk(`http://127.0.0.1:${state.ports.etcdClient}/health`, undefined, { timeoutMs, abortIf: died(state.pids.etcd, 'etcd') });
  const tls = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  await waitForOk(`${state.server}/readyz`, tls, {
    timeoutMs, abortIf: died(state.pids.apiserver, 'kube-apiserver'),
    onWait: (last) => progress.tick(`waiting for kube-apiserver: ${last.split('\n')[0] ?? ''}`),
  });
}

/** Fresh directory, PKI and ports for a new control plane. */
async function prepare(opts: StartOptions, dir: string): Promise<{ pki: ControlPlanePki; layout: Layout; ports: ControlPlaneState['ports'] }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pki = await generatePki();
  return { pki, layout: await layoutFor(dir, pki), ports: await choosePorts(opts) };
}

/**
 * Starts etcd and kube-apiserver on loopback with TLS, client-certificate authentication and RBAC,
 * writes an admin kubeconfig, and waits until `/readyz` answers. Nothing is left running on failure.
 */
export async function startControlPlane(opts: StartOptions): Promise<ControlPlaneState> {
  const name = opts.name ?? 'local';
  const dir = opts.dir ?? clusterDir(name, opts.env);
  await assertNotRunning(dir);
  const binaries = opts.binaries ?? (await ensureControlPlaneBinaries({ progress: opts.progress, ...(opts.env ? { env: opts.env } : {}) }));
  const { pki, layout, ports } = await prepare(opts, dir);
  opts.progress.step(`starting etcd v${ETCD_VERSION} and kube-apiserver v${KUBERNETES_VERSION} on 127.0.0.1:${ports.apiserver}`);
  const etcd = spawnDaemon(binaries.etcd, etcdArgs(layout, ports), join(dir, 'etcd.log'));
  const apiserver = spawnDaemon(binaries.kubeApiserver, apiserverArgs(layout, ports), join(dir, 'kube-apiserver.log'));
  const guardian = startGuardian(opts.ownerPid ?? process.pid, [etcd, apiserver]);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const state: ControlPlaneState = {
    name, dir, kubeconfig: join(dir, 'kubeconfig'), server, ports, pids: { etcd, apiserver },
    versions: { kubernetes: KUBERNETES_VERSION, etcd: ETCD_VERSION }, startedAt: new Date().toISOString(),
  };
  try {
    await writeFile(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    await writeFile(state.kubeconfig, renderKubeconfig({ name, server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey }), { mode: 0o600 });
    await waitReady(state, pki, opts.readyTimeoutMs ?? 90_000, opts.progress);
  } catch (cause) {
    await stopProcesses([apiserver, etcd, guardian]);
    throw await startFailure(dir, cause);
  }
  if (opts.ownerPid === undefined) await stopProcesses([guardian]);
  opts.progress.step(`local cluster "${name}" ready at ${server}`);
  return state;
}

async function startFailure(dir: string, cause: unknown): Promise<PalisadeError> {
  const [apiLog, etcdLog] = await Promise.all([logTail(join(dir, 'kube-apiserver.log')), logTail(join(dir, 'etcd.log'), 5)]);
  const inUse = /address already in use/.test(apiLog + etcdLog);
  return new PalisadeError(inUse ? 'PortInUse' : 'ProcessExited',
    `The local control plane did not start: ${(cause as Error).message}.\n--- kube-apiserver.log (tail) ---\n${apiLog}\n--- etcd.log (tail) ---\n${etcdLog}`,
    { hint: inUse ? 'A port was taken between choosing and binding it; run the command again.' : `Logs are in ${dir}.`, cause });
}

export async function readState(dir: string): Promise<ControlPlaneState | undefined> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ControlPlaneState);
}

/** Stops the processes of a local control plane; returns false when nothing was running. */
export async function stopControlPlane(dir: string): Promise<boolean> {
  const state = await readState(dir);
  if (!state) return false;
  const pids = [state.pids.apiserver, state.pids.etcd];
  const running = pids.some(isAlive);
  await stopProcesses(pids);
  await rm(join(dir, STATE_FILE), { force: true });
  return running;
}

/**
 * Stops kube-apiserver (SIGKILL: a crash, not a shutdown) and starts it again on the same port,
 * etcd and PKI; resolves when it is ready. For failure tests and for recovering a degraded cluster.
 */
export async function restartApiserver(state: ControlPlaneState, opts: { readonly binaries?: ControlPlaneBinaries; readonly ownerPid?: number; readonly progress: Progress }): Promise<ControlPlaneState> {
  await killApiserver(state);
  const binaries = opts.binaries ?? (await ensureControlPlaneBinaries({ progress: opts.progress }));
  const apiserver = spawnDaemon(binaries.kubeApiserver, apiserverArgs(layoutPaths(state.dir), state.ports), join(state.dir, 'kube-apiserver.log'));
  if (opts.ownerPid !== undefined) startGuardian(opts.ownerPid, [apiserver]);
  const next: ControlPlaneState = { ...state, pids: { ...state.pids, apiserver } };
  await writeFile(join(state.dir, STATE_FILE), `${JSON.stringify(next, null, 2)}\n`);
  const ca = await readFile(layoutPaths(state.dir).caCert, 'utf8');
  await waitForOk(`${state.server}/readyz`, await adminTls(state.kubeconfig, ca), { timeoutMs: 90_000, abortIf: () => (isAlive(apiserver) ? undefined : 'kube-apiserver exited during start-up') });
  return next;
}

/** Kills kube-apiserver at once, leaving etcd running. */
export async function killApiserver(state: ControlPlaneState): Promise<void> {
  await stopProcesses([state.pids.apiserver], 0);
}

export type ControlPlaneHealth = 'running' | 'degraded' | 'stopped';

export interface ControlPlaneStatus {
  readonly health: ControlPlaneHealth;
  readonly state?: ControlPlaneState;
  readonly detail: string;
}

/** Whether the processes are alive and kube-apiserver answers `/readyz`. */
export async function controlPlaneStatus(dir: string): Promise<ControlPlaneStatus> {
  const state = await readState(dir);
  if (!state) return { health: 'stopped', detail: 'no local cluster recorded' };
  const alive = [state.pids.etcd, state.pids.apiserver].filter(isAlive).length;
  if (alive === 0) return { health: 'stopped', state, detail: 'processes are not running' };
  const pkiDir = join(dir, 'pki');
  const ca = await readFile(join(pkiDir, 'ca.crt'), 'utf8');
  const ready = await waitForOk(`${state.server}/readyz`, await adminTls(state.kubeconfig, ca), { timeoutMs: 3000 }).then(() => true, () => false);
  if (alive === 2 && ready) return { health: 'running', state, detail: 'etcd and kube-apiserver are running; /readyz ok' };
  return { health: 'degraded', state, detail: `${alive} of 2 processes alive; /readyz ${ready ? 'ok' : 'failing'}` };
}

async function adminTls(kubeconfig: string, ca: string): Promise<{ ca: string; cert: string; key: string }> {
  const text = await readFile(kubeconfig, 'utf8');
  const field = (key: string): string => Buffer.from(new RegExp(`${key}: (\\S+)`).exec(text)?.[1] ?? '', 'base64').toString();
  return { ca, cert: field('client-certificate-data'), key: field('client-key-data') };
}
