import type { Command } from 'commander';
import { runDiff } from '../commands/index.js';
import { action } from './action.js';
import { collectList } from './flags.js';

/** `palisade diff`: the semantic policy diff between two revisions, for pull requests. */
export function registerDiff(program: Command): void {
  program.command('diff')
    .description('semantic policy diff between two Git revisions: connectivity delta, widenings, weakened controls, probes, raw object diff. Exit 1 when a weakening lacks the required approval or a probe fails')
    .requiredOption('--base <ref>', 'base revision: a branch, tag or commit of the repository (e.g. origin/main)')
    .option('--head <ref>', 'head revision (default: the working tree)')
    .option('--source <dir>', 'the repository both revisions belong to', '.')
    .option('-c, --cluster <name>', 'cluster to compare (repeatable or comma-separated; default: all)', collectList, [])
    .option('-f, --format <format>', 'md (PR comment), json, sarif or txt', 'txt')
    .option('--label <labels>', 'labels on the pull request (repeatable or comma-separated), for the approval check', collectList, [])
    .option('--config <file>', 'repository configuration with review.approval and review.probes (default: palisade.yaml of the source)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--sarif <file>', 'also write SARIF to this file (one synthesis for both outputs)')
    .action(action(runDiff));
}
