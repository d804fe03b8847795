import type { Command } from 'commander';
import { runInstall } from '../commands/index.js';
import { action } from './action.js';
import { addSourceOptions, clusterOption } from './flags.js';

/** `palisade install-manifests`: the reconciler's own Deployment, RBAC and Lease for one cluster. */
export function registerInstall(program: Command): void {
  const cmd = program.command('install-manifests')
    .description('print the manifests that run `palisade reconcile --watch` inside a cluster (least-privilege RBAC from the policies in --source, Lease, metrics)');
  addSourceOptions(cmd, clusterOption('cluster the reconciler enforces').makeOptionMandatory());
  // --git/--ref here name what the reconciler in the cluster reads.
  const git = cmd.options.find((o) => o.long === '--git');
  if (git) git.makeOptionMandatory().description = 'Git repository the reconciler in the cluster reads';
  cmd.option('--image <image>', 'container image (default ghcr.io/palisade-dev/palisade:0.1.0)')
    .option('--trust-revision <sha>', 'the reviewed commit (full SHA) a cluster with no applied revision is judged from (bootstrap); ignored once one is recorded')
    .option('--replicas <n>', 'replicas (one leads through a Lease)', '2')
    .action(action(runInstall));
}
