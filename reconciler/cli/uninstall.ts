import type { Command } from 'commander';
import { runUninstall } from '../commands/index.js';
import { action } from './action.js';
import { clusterOption } from './flags.js';

/** `palisade uninstall -c NAME`: remove palisade from a cluster, protection first. */
export function registerUninstall(program: Command): void {
  program.command('uninstall')
    .description('remove what palisade applied to a cluster, as its inventory records it: the protection policy first, then every object in reverse apply order, then the inventory; Namespaces are kept unless --delete-namespaces. Refuses while the in-cluster reconciler runs')
    .addOption(clusterOption('cluster to uninstall from').makeOptionMandatory())
    .option('--source <dir>', 'repository directory holding clusters/ (for the cluster\'s kubeconfig context)', '.')
    .option('--kubeconfig <path>', 'kubeconfig (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', "kubeconfig context (default: the cluster's `context`, then the current context)")
    .option('--dry-run', 'list what would be deleted; change nothing')
    .option('--delete-namespaces', 'also delete the Namespaces palisade created (and everything in them)')
    .action(action(runUninstall));
}
