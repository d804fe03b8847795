import type { Command} from 'commander';
import { Option } from 'commander';
import { streamProgress } from '../../lib/core/progress.js';
import { clusterDir, controlPlaneStatus, ensureControlPlaneBinaries, startControlPlane, stopControlPlane, installCrds } from '../controlplane/index.js';
import { clientFor } from '../cluster/client.js';
import { loadKubeConfig } from '../cluster/connect.js';
import { action, EXIT } from './action.js';

interface UpFlags { readonly name: string; readonly port?: string; readonly crds: string[] }

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port must be an integer between 1 and 65535, got "${value}"`);
  return n;
}

async function up(flags: UpFlags): Promise<number> {
  const progress = streamProgress();
  const state = await startControlPlane({ name: flags.name, progress, ...(flags.port ? { apiserverPort: parsePort(flags.port) } : {}) });
  if (flags.crds.length > 0) await installCrds(clientFor(loadKubeConfig({ kubeconfig: state.kubeconfig })), flags.crds, progress);
  process.stdout.write(`kubeconfig: ${state.kubeconfig}\nserver: ${state.server}\nexport KUBECONFIG=${state.kubeconfig}\n`);
  return EXIT.ok;
}

async function down(flags: { readonly name: string }): Promise<number> {
  const stopped = await stopControlPlane(clusterDir(flags.name));
  process.stdout.write(stopped ? `local cluster "${flags.name}" stopped\n` : `local cluster "${flags.name}" was not running\n`);
  return EXIT.ok;
}

async function status(flags: { readonly name: string; readonly output: string }): Promise<number> {
  const s = await controlPlaneStatus(clusterDir(flags.name));
  if (flags.output === 'json') process.stdout.write(`${JSON.stringify({ health: s.health, detail: s.detail, ...(s.state ? { server: s.state.server, kubeconfig: s.state.kubeconfig, pids: s.state.pids, versions: s.state.versions } : {}) }, null, 2)}\n`);
  else process.stdout.write(`${flags.name}: ${s.health} (${s.detail})${s.state ? `\n  server: ${s.state.server}\n  kubeconfig: ${s.state.kubeconfig}` : ''}\n`);
  return s.health === 'running' ? EXIT.ok : EXIT.findings;
}

async function build(): Promise<number> {
  const b = await ensureControlPlaneBinaries({ progress: streamProgress() });
  process.stdout.write(`kube-apiserver: ${b.kubeApiserver}\netcd: ${b.etcd}\n`);
  return EXIT.ok;
}

const nameOption = (): Option => new Option('--name <name>', 'name of the local cluster').default('local');

/** `palisade cluster up|down|status|build`: the embedded local control plane. */
export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('run a local Kubernetes control plane (etcd + kube-apiserver) on loopback');
  cluster.command('up')
    .description('build (first time, cached) and start etcd and kube-apiserver; print the kubeconfig')
    .addOption(nameOption())
    .option('--port <port>', 'secure port for kube-apiserver (default: a free port)')
    .option('--crds <file...>', 'CustomResourceDefinition files to install once ready', [])
    .action(action(up));
  cluster.command('down').description('stop the local control plane; leaves no process behind').addOption(nameOption()).action(action(down));
  cluster.command('status')
    .description('show whether the local control plane runs and answers /readyz (exit 0 running, 1 not)')
    .addOption(nameOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(action(status));
  cluster.command('build').description('build and cache kube-apiserver and etcd without starting them').action(action(build));
}
