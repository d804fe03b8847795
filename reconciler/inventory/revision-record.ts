/**
 * The revision palisade last applied to a cluster, and whether its signatures were verified: a
 * ConfigMap in palisade-system (which the threat model keeps out of the attacker's reach), read by
 * the signature gate (the commits after it are the ones to verify) and by `palisade drift`.
 */
import { FIELD_MANAGER, LABELS, MANAGED_BY_VALUE } from '../../lib/core/labels.js';
import type { ClusterClient } from '../cluster/client.js';
import { INVENTORY_NAMESPACE, inventoryNamespace } from './inventory.js';

export interface AppliedRevision {
  readonly revision: string;
  /** True when the rules in effect required signatures and every commit since the last one passed. */
  readonly verified: boolean;
  /** Signer groups of the revision's own signature. */
  readonly signedBy: readonly string[];
  readonly appliedAt: string;
}

const nameOf = (cluster: string): string => `palisade-revision-${cluster}`;

export async function readAppliedRevision(client: ClusterClient, cluster: string): Promise<AppliedRevision | undefined> {
  const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: nameOf(cluster) });
  const data = cm?.['data'] as Record<string, string> | undefined;
  if (data?.['revision'] === undefined) return undefined;
  return { revision: data['revision'], verified: data['verified'] === 'true', signedBy: (data['signedBy'] ?? '').split(',').filter(Boolean), appliedAt: data['appliedAt'] ?? '' };
}

export async function recordAppliedRevision(client: ClusterClient, cluster: string, rev: Omit<AppliedRevision, 'appliedAt'>): Promise<void> {
  await client.apply(inventoryNamespace(), { fieldManager: FIELD_MANAGER });
  await client.apply({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: nameOf(cluster), namespace: INVENTORY_NAMESPACE, labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.cluster]: cluster } },
    data: { revision: rev.revision, verified: String(rev.verified), signedBy: rev.signedBy.join(','), appliedAt: new Date().toISOString() },
  }, { fieldManager: FIELD_MANAGER });
}

/** `1a2b3c4d5e6f (verified, signed by security)`, for reports. */
export function describeAppliedRevision(r: AppliedRevision | 'none'): string {
  if (r === 'none') return 'none recorded';
  const short = r.revision.replace(/^([0-9a-f]{12})[0-9a-f]+/, '$1');
  if (r.verified) return `${short} (signatures verified${r.signedBy.length > 0 ? `, signed by ${r.signedBy.join(', ')}` : ''})`;
  return `${short} (not verified: ${/^[0-9a-f]{40}$/.test(r.revision) ? 'the repository requires no signatures' : 'a working tree'})`;
}
