/**
 * The reviewed-output gate (`--require-digest`): a revision is applied to a cluster only when its
 * head commit carries a `Palisade-Digest: <cluster> sha256:<hex>` trailer equal to the digest of
 * what the reconciler rendered for that cluster. The trailer is what a reviewer approved (palisade
 * diff prints it); the head commit is judged by the signature rules like every other, so the
 * approval cannot be added by someone who may not sign, and the output cannot differ from what
 * review saw without the digest differing.
 */
import { digestTrailers } from '../../lib/synth/digest.js';
import type { ClusterTarget } from '../source/desired.js';
import { git, type Checkout } from '../source/source.js';
import { isCommit, type Refusal } from './admit.js';

/** The head commit's message (empty for a working tree). */
export async function headMessage(checkout: Checkout): Promise<string> {
  if (!isCommit(checkout.revision)) return '';
  return git(checkout.dir).raw(['log', '-1', '--format=%B', checkout.revision]).catch(() => '');
}

/** The refusal of a target whose output digest the head commit does not record (pure). */
export function digestRefusal(t: ClusterTarget, message: string, revision: string): Refusal | undefined {
  const want = digestTrailers(message).get(t.spec.name);
  const have = t.digest ?? '(none)';
  if (want === have) return undefined;
  const at = `cluster ${t.spec.name}: revision ${revision.slice(0, 12)}`;
  return {
    cluster: t.spec.name, reason: 'DigestMismatch',
    message: want === undefined
      ? `${at} records no reviewed output digest (a "Palisade-Digest: ${t.spec.name} ${have}" trailer on the head commit); --require-digest applies only reviewed output`
      : `${at} renders ${have}, but the head commit records ${want} as reviewed: the output differs from what review saw`,
  };
}
