import type { Command } from 'commander';
import { runDemo } from '../commands/index.js';
import { action } from './action.js';

/** `palisade demo`: the README's first command. */
export function registerDemo(program: Command): void {
  program.command('demo')
    .description('start the local control plane, apply the template for clusters/local, tamper with it, report and correct the drift')
    .option('--keep', 'leave the local cluster running afterwards')
    .option('--source <dir>', 'repository directory holding policies/ and clusters/', '.')
    .action(action(runDemo));
}
