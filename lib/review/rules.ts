/**
 * "Review rules changed": the review configuration (palisade.yaml `review`) and palisade's own
 * review and analysis code are part of the gate, so a pull request that edits them is itself a
 * finding. The review runs with the base revision's rules; these findings show old and new.
 */
import type { Probe, ReviewConfig } from './config.js';
import type { Finding, Risk } from './types.js';

/** Paths whose change alters how a review judges (relative to the repository root). */
export const REVIEW_CODE_PATHS: readonly string[] = ['lib/review', 'lib/analysis', 'reconciler/review', 'reconciler/commands/diff.ts', 'palisade.yaml'];

const REPOSITORY = '(repository)';

const probeText = (p: Probe): string => `${p.from} → ${p.to}${p.port === undefined ? '' : ` ${p.port}`} expect ${p.expect}${p.clusters === undefined ? '' : ` on ${p.clusters.join(', ')}`}`;

function rule(risk: Risk, subject: string, message: string): Finding {
  return { cluster: REPOSITORY, kind: 'review-rules-changed', risk, subject, message };
}

function approvalFindings(before: ReviewConfig, after: ReviewConfig): Finding[] {
  if (before.approvalLabel === after.approvalLabel) return [];
  const show = (l: string | undefined): string => (l === undefined ? '(none)' : `"${l}"`);
  return [rule('high', 'palisade.yaml review.approval', `review rules changed: review.approval.label ${show(before.approvalLabel)} → ${show(after.approvalLabel)} (this review uses the base's ${show(before.approvalLabel)})`)];
}

function probeFindings(before: ReviewConfig, after: ReviewConfig): Finding[] {
  const next = new Map(after.probes.map((p) => [p.name, p]));
  const prev = new Map(before.probes.map((p) => [p.name, p]));
  const out: Finding[] = [];
  for (const p of before.probes) {
    const n = next.get(p.name);
    if (n === undefined) out.push(rule('high', `palisade.yaml review.probes ${p.name}`, `review rules changed: probe "${p.name}" removed (was ${probeText(p)}; still checked in this review)`));
    else if (probeText(n) !== probeText(p)) out.push(rule('high', `palisade.yaml review.probes ${p.name}`, `review rules changed: probe "${p.name}" ${probeText(p)} → ${probeText(n)} (this review checks the base's)`));
  }
  for (const p of after.probes) if (!prev.has(p.name)) out.push(rule('low', `palisade.yaml review.probes ${p.name}`, `probe "${p.name}" added: ${probeText(p)}`));
  return out;
}

/**
 * Findings for a change of the review rules between base and head: approval label and probes
 * (removed or changed: high; added: low), and files of palisade's review code that changed.
 */
export function reviewRuleFindings(before: ReviewConfig, after: ReviewConfig, changedCode: readonly string[]): Finding[] {
  const code = changedCode.filter((f) => f !== 'palisade.yaml');
  const codeFinding = code.length === 0 ? [] : [rule('high', code.join(', '), `review rules changed: palisade's review code changed (${code.join(', ')}); this review ran with the base revision's rules, later ones will use the new code`)];
  return [...approvalFindings(before, after), ...probeFindings(before, after), ...codeFinding];
}

/** The rules a review applies: the base's approval label and probes, plus probes the head adds. */
export function effectiveRules(before: ReviewConfig, after: ReviewConfig): ReviewConfig {
  const names = new Set(before.probes.map((p) => p.name));
  return { ...before, probes: [...before.probes, ...after.probes.filter((p) => !names.has(p.name))] };
}
