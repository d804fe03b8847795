import { Option, type Command } from 'commander';
import { runDrift } from '../commands/index.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { action } from './action.js';
import { addTargetOptions } from './flags.js';

/** `palisade drift`: compare Git with the clusters and write nothing. Exit 0 clean, 1 drift, 2 error. */
export function registerDrift(program: Command): void {
  addTargetOptions(program.command('drift').description('report drift between Git and the clusters; writes nothing (exit 0 no drift, 1 drift, 2 error)'))
    .addOption(new Option('-f, --format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(action(runDrift));
}
