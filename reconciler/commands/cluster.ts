import { streamProgress } from '../../lib/core/progress.js';
import { clusterDir, controlPlaneStatus, ensureControlPlaneBinaries, startControlPlane, stopControlPlane, installCrds } from '../controlplane/index.js';
import { clientFor } from '../cluster/client.js';
import { loadKubeConfig } from '../cluster/connect.js';
import { EXIT } from './exit.js';

export interface UpFlags { readonly name: string; readonly port?: string; readonly crds: string[] }

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port must be an integer between 1 and 65535, got "${value}"`);
  return n;
}

/** `palisade cluster up`. */
export async function clusterUp(flags: UpFlags): Promise<number> {
  const progress = streamProgress();
  const state = await startControlPlane({ name: flags.name, progress, ...(flags.port ? { apiserverPort: parsePort(flags.port) } : {}) });
  if (flags.crds.length > 0) await installCrds(clientFor(loadKubeConfig({ kubeconfig: state.kubeconfig })), flags.crds, progress);
  process.stdout.write(`kubeconfig: ${state.kubeconfig}\nserver: ${state.server}\nexport KUBECONFIG=${state.kubeconfig}\n`);
  return EXIT.ok;
}

/** `palisade cluster down`. */
export async function clusterDown(flags: { readonly name: string }): Promise<number> {
  const stopped = await stopControlPlane(clusterDir(flags.name));
  process.stdout.write(stopped ? `local cluster "${flags.name}" stopped\n` : `local cluster "${flags.name}" was not running\n`);
  return EXIT.ok;
}

/** `palisade cluster status`. */
export async function clusterStatus(flags: { readonly name: string; readonly output: string }): Promise<number> {
  const s = await controlPlaneStatus(clusterDir(flags.name));
  if (flags.output === 'json') process.stdout.write(`${JSON.stringify({ health: s.health, detail: s.detail, ...(s.state ? { server: s.state.server, kubeconfig: s.state.kubeconfig, pids: s.state.pids, versions: s.state.versions } : {}) }, null, 2)}\n`);
  else process.stdout.write(`${flags.name}: ${s.health} (${s.detail})${s.state ? `\n  server: ${s.state.server}\n  kubeconfig: ${s.state.kubeconfig}` : ''}\n`);
  return s.health === 'running' ? EXIT.ok : EXIT.findings;
}

/** `palisade cluster build`. */
export async function clusterBuild(): Promise<number> {
  const b = await ensureControlPlaneBinaries({ progress: streamProgress() });
  process.stdout.write(`kube-apiserver: ${b.kubeApiserver}\netcd: ${b.etcd}\n`);
  return EXIT.ok;
}


