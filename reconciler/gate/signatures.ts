/**
 * The signature gate: a --git revision is applied to a cluster only when every commit since the
 * revision palisade last applied there is signed as the rules require (see ../verify/).
 */
import type { AppliedRevision } from '../inventory/revision-record.js';
import type { Checkout } from '../source/source.js';
import { describeRefusals, verifyRange, type RangeVerdict } from '../verify/index.js';

const isCommit = (r: string): boolean => /^[0-9a-f]{40}$/.test(r);

/** Verifies what `checkout` brings to a cluster whose last applied revision is `last`. */
export function verifyForCluster(checkout: Checkout, last: AppliedRevision | undefined): Promise<RangeVerdict> {
  return verifyRange(checkout.dir, last !== undefined && isCommit(last.revision) ? last.revision : undefined, checkout.revision);
}

/** True when the verdict lets the revision through. */
export const signaturesAdmit = (v: RangeVerdict): boolean => v.failures.length === 0;

/** Applied-revision record of an admitted verdict. */
export const appliedOf = (v: RangeVerdict): { revision: string; verified: boolean; signedBy: readonly string[] } => ({ revision: v.to, verified: v.required && v.failures.length === 0, signedBy: v.signedBy });

/** `revision 1a2b… refused for cluster prod: commit … touches … and is not signed; …` */
export function describeSignatureRefusal(cluster: string, v: RangeVerdict): string {
  const range = v.from === undefined ? `revision ${v.to.slice(0, 12)}` : `commits ${v.from.slice(0, 12)}..${v.to.slice(0, 12)}`;
  return `cluster ${cluster}: unverified ${range}:\n${describeRefusals(v).split('\n').map((l) => `  ${l}`).join('\n')}`;
}
