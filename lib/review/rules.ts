/**
 * "Review rules changed": the review configuration (palisade.yaml `review`) and palisade's own
 * review and analysis code are part of the gate, so a pull request that edits them is itself a
 * finding. The review runs with the base revision's rules; these findings show old and new.
 */
import type { Probe, ReviewConfig } from './config.js';
import type { Finding, Risk } from './types.js';

/** Paths whose change alters how a review judges (relative to the repository root). */
export const REVIEW_CODE_PATHS: readonly string[] = ['lib/review', 'lib/analysis', 'reconciler/review', 'reconciler/commands/diff.ts', 'palisade.yaml'];

/** Paths whose change needs approval whatever the rendered output shows: the code synthesis runs and the clusters' own configuration. */
export const TRUSTED_INPUT_PATHS: readonly string[] = ['lib', 'clusters'];

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

const under = (dir: string) => (f: string): boolean => f.startsWith(`${dir}/`);

/**
 * Findings for changed files whose effect the rendered objects cannot vouch for: code under lib/
 * (synthesis runs it, so both sides were rendered by different programs; review code is reported
 * above) and anything under clusters/ (contexts, trust lists, backends, addresses, folders added
 * or renamed). Both need approval, whichever way they go.
 */
export function trustedInputFindings(changed: readonly string[]): Finding[] {
  const isReviewCode = (f: string): boolean => REVIEW_CODE_PATHS.some((p) => f === p || f.startsWith(`${p}/`));
  const code = changed.filter(under('lib')).filter((f) => !isReviewCode(f));
  const clusters = changed.filter(under('clusters'));
  const at = (fs: readonly string[]): string => `${fs.slice(0, 5).join(', ')}${fs.length > 5 ? ` and ${fs.length - 5} more` : ''}`;
  return [
    ...(code.length === 0 ? [] : [{ cluster: REPOSITORY, kind: 'synthesis-code-changed' as const, risk: 'high' as const, subject: at(code), message: `the code synthesis runs changed (${at(code)}): the head's objects were rendered by another program than the base's` }]),
    ...(clusters.length === 0 ? [] : [{ cluster: REPOSITORY, kind: 'cluster-config-changed' as const, risk: 'high' as const, subject: at(clusters), message: `cluster configuration changed (${at(clusters)}): contexts, trusted identities, backends and addresses are trust settings` }]),
  ];
}

/** The rules a review applies: the base's approval label and probes, plus probes the head adds. */
export function effectiveRules(before: ReviewConfig, after: ReviewConfig): ReviewConfig {
  const names = new Set(before.probes.map((p) => p.name));
  return { ...before, probes: [...before.probes, ...after.probes.filter((p) => !names.has(p.name))] };
}
