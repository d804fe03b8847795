/**
 * The revision gate, one for `reconcile --once` and `--watch`. A --git revision reaches a cluster
 * only when, in this order and before any of its code runs:
 *
 *  1. the cluster has a baseline: its applied revision (below), or, for a cluster with none, a
 *     commit the operator vouches for with `--trust-revision SHA`; nothing is trusted on first use;
 *  2. the revision is the baseline or a descendant of it, unless the operator allows a rollback
 *     (`--allow-rollback`), in which case the head alone is judged by the baseline's rules;
 *  3. every commit after the baseline, and the head always, is signed as the baseline's
 *     palisade.yaml `source.signatures` requires (../verify/).
 *
 * Only then is it synthesized (in the sandbox), and its probes are judged with the baseline's
 * palisade.yaml, never the revision's own.
 *
 * The **applied revision** of a cluster is the commit recorded in
 * `palisade-system/palisade-revision-<cluster>`, `<cluster>` being the folder name the operator
 * selects (never a name the revision's code returns). It is written when a revision passes every
 * gate (signatures, synthesis, probes), before its objects are applied, by --once and --watch
 * alike, and it is the baseline the next revision is judged from.
 */
import { PalisadeError } from '../../lib/core/errors.js';
import { join } from 'node:path';
import { loadReviewConfig, parseReviewConfig, type ReviewConfig } from '../../lib/review/index.js';
import type { ClusterClient } from '../cluster/client.js';
import { readAppliedRevision } from '../inventory/revision-record.js';
import type { AppliedRevision } from '../inventory/revision-record.js';
import type { ClusterRef } from '../source/clusters.js';
import { git, type Checkout } from '../source/source.js';
import { commitExists, describeRefusals, verifyRange, type RangeVerdict } from '../verify/index.js';

/** What the operator authorises beyond the recorded baseline. */
export interface TrustOptions {
  /** `--trust-revision`: the baseline of a cluster that has no applied revision recorded (a full SHA). */
  readonly trustRevision?: string;
  /** `--allow-rollback`: admit a revision that is not a descendant of the applied one. */
  readonly allowRollback: boolean;
}

/** Why a revision was not admitted; a closed vocabulary shared by logs, Events and metrics. */
export type RefusalReason = 'NoBaseline' | 'RollbackRefused' | 'SignatureRejected' | 'SynthesisFailed' | 'ProbeFailed' | 'DigestMismatch';

/** The `reason` label of palisade_revisions_refused_total per refusal. */
export const REFUSAL_METRIC: Readonly<Record<RefusalReason, string>> = {
  NoBaseline: 'baseline', RollbackRefused: 'rollback', SignatureRejected: 'signature', SynthesisFailed: 'synthesis', ProbeFailed: 'probe', DigestMismatch: 'digest',
};

export interface Refusal {
  readonly cluster: string;
  readonly reason: RefusalReason;
  readonly message: string;
  /** The commits and paths refused, for SignatureRejected. */
  readonly commits?: ReadonlyArray<{ readonly commit: string; readonly path: string }>;
  /** The probes violated, for ProbeFailed. */
  readonly probes?: readonly string[];
}

/** A revision's signatures admitted for one cluster: the baseline it was judged from and the verdict. */
export interface RangeAdmission {
  readonly ref: ClusterRef;
  readonly baseline?: string;
  readonly verdict?: RangeVerdict;
}

export const isCommit = (r: string): boolean => /^[0-9a-f]{40}$/.test(r);

/** The baseline to judge from (pure): the recorded applied revision, else the operator's, else none. */
export function baselineOf(last: AppliedRevision | undefined, trust: TrustOptions): { readonly revision: string } | { readonly missing: string } {
  if (last !== undefined && isCommit(last.revision)) return { revision: last.revision };
  if (trust.trustRevision !== undefined) return { revision: trust.trustRevision };
  const why = last === undefined ? 'has no applied revision recorded' : `records "${last.revision}", which is not a commit (a working tree was applied)`;
  return { missing: why };
}

async function isAncestor(dir: string, older: string, newer: string): Promise<boolean> {
  return git(dir).raw(['merge-base', '--is-ancestor', older, newer]).then(() => true, () => false);
}

/** `cluster prod: unverified commits 1a2b..3c4d:` and one line per refused commit and path. */
export function describeSignatureRefusal(cluster: string, v: RangeVerdict): string {
  const range = v.from === v.to ? `revision ${v.to.slice(0, 12)}` : `commits ${v.from.slice(0, 12)}..${v.to.slice(0, 12)}`;
  return `cluster ${cluster}: unverified ${range}:\n${describeRefusals(v).split('\n').map((l) => `  ${l}`).join('\n')}`;
}

/**
 * Gates 1 to 3 for one cluster of a --git checkout: admitted with the verdict, or the refusal. A
 * local working tree is not gated (there is no history to judge).
 */
export async function admitRange(checkout: Checkout, ref: ClusterRef, last: AppliedRevision | undefined, trust: TrustOptions & { readonly gated: boolean }): Promise<RangeAdmission | Refusal> {
  if (!trust.gated) return { ref };
  const head = checkout.revision;
  const base = baselineOf(last, trust);
  if ('missing' in base) {
    return { cluster: ref.name, reason: 'NoBaseline', message: `cluster ${ref.name} ${base.missing}: no revision is trusted on first use; review a commit and bootstrap with --trust-revision <full SHA> (for example ${head})` };
  }
  if (!(await commitExists(checkout.dir, base.revision))) {
    return { cluster: ref.name, reason: 'NoBaseline', message: `cluster ${ref.name}: the baseline revision ${base.revision.slice(0, 12)} is not in the repository (history rewritten?): re-bootstrap deliberately with --trust-revision <full SHA>` };
  }
  const forward = base.revision === head || await isAncestor(checkout.dir, base.revision, head);
  if (!forward && !trust.allowRollback) {
    return { cluster: ref.name, reason: 'RollbackRefused', message: `cluster ${ref.name}: revision ${head.slice(0, 12)} is not a descendant of the applied revision ${base.revision.slice(0, 12)} (a rollback or a rewritten branch); pass --allow-rollback to apply it, judged by the applied revision's signature rules` };
  }
  const verdict = await verifyRange(checkout.dir, base.revision, head);
  if (verdict.failures.length > 0) {
    return { cluster: ref.name, reason: 'SignatureRejected', message: describeSignatureRefusal(ref.name, verdict), commits: verdict.failures.map((f) => ({ commit: f.sha, path: f.path })) };
  }
  return { ref, baseline: base.revision, verdict };
}

export const isRefusal = <T extends object>(x: T | Refusal): x is Refusal => 'reason' in x;

/** The review configuration probes are judged by: the baseline's palisade.yaml for a --git revision, else the working tree's. */
async function trustedReviewConfig(checkout: Checkout, admission: RangeAdmission): Promise<ReviewConfig> {
  if (admission.baseline === undefined) return loadReviewConfig(join(checkout.dir, 'palisade.yaml'));
  const text = await git(checkout.dir).raw(['show', `${admission.baseline}:palisade.yaml`]).catch(() => undefined);
  return parseReviewConfig(text, `palisade.yaml at ${admission.baseline.slice(0, 12)}`);
}

/** A cluster through gates 1-3: its admission, the connection it was judged over, the review configuration its probes use. */
export interface Gated { readonly admission: RangeAdmission; readonly client: ClusterClient; readonly review: ReviewConfig }

/**
 * Gates 1-3 for one cluster over `client`, judged from its applied revision (`last` when the
 * caller already knows it, else read from the cluster). Before any of the revision's code runs.
 */
export async function gateCluster(checkout: Checkout, ref: ClusterRef, client: ClusterClient, opts: { readonly trust: TrustOptions; readonly gated: boolean; readonly last?: AppliedRevision }): Promise<Gated | Refusal> {
  const last = opts.last ?? await readAppliedRevision(client, ref.name);
  const admission = await admitRange(checkout, ref, last, { ...opts.trust, gated: opts.gated });
  if (isRefusal(admission)) return admission;
  return { admission, client, review: await trustedReviewConfig(checkout, admission) };
}

/** Each gated cluster's review configuration, by the ref it was gated for (what synthesizeTargets asks). */
export function reviewsOf(gated: readonly Gated[]): (ref: ClusterRef) => ReviewConfig {
  const byRef = new Map(gated.map((g) => [g.admission.ref, g.review]));
  return (ref) => byRef.get(ref)!;
}

/** The applied-revision record of an admitted revision; "verified" only when rules required signatures and a commit was judged. */
export function appliedOf(checkout: Checkout, admission: RangeAdmission): Omit<AppliedRevision, 'appliedAt'> {
  const v = admission.verdict;
  if (v === undefined) return { revision: checkout.revision, verified: false, signedBy: [] };
  return { revision: v.to, verified: v.required && v.checked > 0 && v.failures.length === 0, signedBy: v.signedBy };
}

/** A full commit SHA for --trust-revision, or an InvalidInput error. */
export function parseTrustRevision(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isCommit(text)) throw new PalisadeError('InvalidInput', `--trust-revision "${text}" is not a full 40-hex-digit commit SHA`, { hint: 'name the reviewed commit exactly (git rev-parse <ref>)' });
  return text;
}
