import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { effectiveRules, loadReviewConfig, review, REVIEW_CODE_PATHS, reviewMarkdown, reviewRuleFindings, reviewSarif, reviewText, TRUSTED_INPUT_PATHS, trustedInputFindings, withRuleFindings, type Review } from '../../lib/review/index.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { streamProgress } from '../../lib/core/progress.js';
import { changedPaths, loadSide } from '../review/sides.js';
import { EXIT } from './exit.js';

export interface DiffFlags {
  readonly base: string;
  readonly head?: string;
  readonly cluster: string[];
  /** The repository both refs belong to. */
  readonly source: string;
  readonly format: string;
  readonly label: string[];
  /** @default <source>/palisade.yaml */
  readonly config?: string;
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

/** `palisade diff`: the semantic policy diff between two revisions, for pull requests. */
export async function runDiff(flags: DiffFlags): Promise<number> {
  const progress = streamProgress();
  const repo = resolve(flags.source);
  progress.step(`synthesizing base (${flags.base})`);
  const base = await loadSide('base', repo, flags.base, flags.cluster);
  progress.step(`synthesizing head (${flags.head ?? 'working tree'})`);
  const head = await loadSide('head', repo, flags.head, flags.cluster);
  // The rules come from the base (or a file the workflow trusts), never from the change under review.
  const before = await loadReviewConfig(flags.config === undefined ? join(base.dir, 'palisade.yaml') : resolve(flags.config));
  const after = await loadReviewConfig(join(head.dir, 'palisade.yaml'));
  const changed = await changedPaths(repo, flags.base, flags.head, REVIEW_CODE_PATHS);
  const trusted = await changedPaths(repo, flags.base, flags.head, TRUSTED_INPUT_PATHS);
  progress.step('analysing connectivity of both sides');
  const r = withRuleFindings(review(base.side, head.side, effectiveRules(before, after), flags.label), [...reviewRuleFindings(before, after, changed), ...trustedInputFindings(trusted)]);
  const out = render(r, flags.format);
  if (flags.out === undefined) process.stdout.write(out);
  else await writeFile(flags.out, out);
  if (flags.sarif !== undefined) await writeFile(flags.sarif, render(r, 'sarif'));
  const failing = r.clusters.some((c) => c.probes.some((p) => !p.ok));
  return r.needsApproval || failing ? EXIT.findings : EXIT.ok;
}
