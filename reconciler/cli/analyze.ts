import { Option, type Command } from 'commander';
import { runAnalyze } from '../commands/index.js';
import { action } from './action.js';
import { addSourceOptions } from './flags.js';

/** `palisade analyze`: allowed connections of a set of manifests or of a synthesized cluster. */
export function registerAnalyze(program: Command): void {
  addSourceOptions(program.command('analyze')
    .description('list the connections the policies allow (netpol-analyzer connlist format for txt), and explain why')
    .argument('[dir...]', 'files or directories of manifests: workloads, Namespaces and policies'),
  new Option('-c, --cluster <name>', 'analyse the policies synthesized for this cluster (with one representative workload per agent and endpoint)'))
    .option('-f, --format <format>', 'txt, json or md', 'txt')
    .option('--explain', 'show, for every allowed connection, the rules that allow it', false)
    .option('--from <peer>', 'explain one pair: source (e.g. agents/coding-agent)')
    .option('--to <peer>', 'explain one pair: destination (e.g. tools/mcp-tools or github.com[DNS])')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(action(runAnalyze));
}
