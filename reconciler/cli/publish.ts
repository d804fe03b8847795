import type { Command } from 'commander';
import { runPublish } from '../commands/index.js';
import { action } from './action.js';
import { addSourceOptions } from './flags.js';

/** `palisade publish`: the rendered-manifests pattern (every cluster). */
export function registerPublish(program: Command): void {
  addSourceOptions(program.command('publish')
    .description('commit the synthesized manifests of every cluster to a branch (rendered-manifests pattern); no commit when nothing changed'), false)
    .option('-b, --branch <name>', 'target branch (default: gitops.renderedBranch in palisade.yaml, else "rendered")')
    .option('--remote <name>', 'remote to push to', 'origin')
    .option('--config <file>', 'repository configuration (default: palisade.yaml of the source)')
    .action(action(runPublish));
}
