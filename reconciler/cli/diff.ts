import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadReviewConfig, review, reviewMarkdown, reviewSarif, reviewText, type Review } from '../../lib/review/index.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { streamProgress } from '../../lib/core/progress.js';
import { loadSide } from '../review/sides.js';
import { action, EXIT } from './action.js';

interface DiffFlags {
  readonly base: string;
  readonly head?: string;
  readonly cluster: string[];
  readonly format: string;
  readonly label: string[];
  readonly config: string;
  readonly out?: string;
  readonly sarif?: string;
}

function render(r: Review, format: string): string {
  switch (format) {
    case 'md':
      return reviewMarkdown(r);
    case 'json':
      return `${JSON.stringify(r, null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(reviewSarif(r, '0.1.0'), null, 2)}\n`;
    case 'txt':
      return reviewText(r);
    default:
      throw new PalisadeError('InvalidInput', `unknown --format ${format} (md, json, sarif or txt)`);
  }
}

async function run(flags: DiffFlags): Promise<number> {
  const progress = streamProgress();
  const config = await loadReviewConfig(flags.config);
  progress.step(`synthesizing base (${flags.base})`);
  const base = await loadSide('base', process.cwd(), flags.base, flags.cluster);
  progress.step(`synthesizing head (${flags.head ?? 'working tree'})`);
  const head = await loadSide('head', process.cwd(), flags.head, flags.cluster);
  progress.step('analysing connectivity of both sides');
  const r = review(base, head, config, flags.label);
  const out = render(r, flags.format);
  if (flags.out === undefined) process.stdout.write(out);
  else await writeFile(flags.out, out);
  if (flags.sarif !== undefined) await writeFile(flags.sarif, render(r, 'sarif'));
  const failing = r.clusters.some((c) => c.probes.some((p) => !p.ok));
  return r.needsApproval || failing ? EXIT.findings : EXIT.ok;
}

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** `palisade diff`: the semantic policy diff between two revisions, for pull requests. */
export function registerDiff(program: Command): void {
  program.command('diff')
    .description('semantic policy diff between two Git revisions: connectivity delta, widenings, weakened controls, probes, raw object diff. Exit 1 when a weakening lacks the required approval or a probe fails')
    .requiredOption('--base <ref>', 'base Git ref (e.g. origin/main)')
    .option('--head <ref>', 'head Git ref (default: the working tree)')
    .option('-c, --cluster <name>', 'cluster to compare (repeatable; default: all)', collect, [])
    .option('-f, --format <format>', 'md (PR comment), json, sarif or txt', 'txt')
    .option('--label <labels>', 'labels on the pull request (repeatable or comma-separated), for the approval check', collect, [])
    .option('--config <file>', 'repository configuration with review.approval and review.probes', 'palisade.yaml')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--sarif <file>', 'also write SARIF to this file (one synthesis for both outputs)')
    .action(action(run));
}
