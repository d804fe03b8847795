import { Option, type Command } from 'commander';
import { clusterBuild, clusterDown, clusterStatus, clusterUp } from '../commands/index.js';
import { action } from './action.js';

const nameOption = (): Option => new Option('--name <name>', 'name of the local cluster').default('local');

/** `palisade cluster up|down|status|build`: the embedded local control plane. */
export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('run a local Kubernetes control plane (etcd + kube-apiserver) on loopback');
  cluster.command('up')
    .description('build (first time, cached) and start etcd and kube-apiserver; print the kubeconfig')
    .addOption(nameOption())
    .option('--port <port>', 'secure port for kube-apiserver (default: a free port)')
    .option('--crds <file...>', 'CustomResourceDefinition files to install once ready', [])
    .action(action(clusterUp));
  cluster.command('down').description('stop the local control plane; leaves no process behind').addOption(nameOption()).action(action(clusterDown));
  cluster.command('status')
    .description('show whether the local control plane runs and answers /readyz (exit 0 running, 1 not)')
    .addOption(nameOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(action(clusterStatus));
  cluster.command('build').description('build and cache kube-apiserver and etcd without starting them').action(action(clusterBuild));
}
