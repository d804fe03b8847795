import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import type { OwnershipMode } from '../plan/types.js';

/**
 * Writes `desired`. A create, or an update of a merge-mode kind, is a server-side apply with force.
 * An update of an exclusive kind first replaces the whole object (guarded by the resourceVersion
 * observed), so nothing another manager owns survives: an extra label, a key in a granular map, or
 * an item of a set-type list such as validationActions, which a forced apply would merge with
 * palisade's (`[Warn, Deny]`, refused by the API server). An update of a merge-mode kind removes
 * only the weakening fields in `strip` (replace guarded by resourceVersion). A forced apply then makes palisade the
 * owner of every declared field again. Returns the object as stored by the last write.
 */
export interface Correction {
  readonly live: KubeObject;
  readonly mode: OwnershipMode;
  /** Merge mode: weakening fields someone else added, to take out. */
  readonly strip: readonly string[];
}

export async function applyExclusive(client: ClusterClient, desired: KubeObject, correction?: Correction): Promise<KubeObject> {
  const { live, mode, strip } = correction ?? { live: undefined, mode: 'merge', strip: [] };
  if (live !== undefined && mode === 'exclusive') {
    const resourceVersion = live.metadata['resourceVersion'];
    await client.replace({ ...desired, metadata: { ...desired.metadata, ...(resourceVersion ? { resourceVersion } : {}) } });
  } else if (live !== undefined && strip.length > 0) {
    // Merge mode: only the weakening fields someone else added are taken out, the rest stays theirs.
    const ops = [...strip].sort().reverse().map((path) => ({ op: 'remove' as const, path }));
    await client.replace(jsonpatch.applyPatch(structuredClone(live), ops, false, false).newDocument);
  }
  return client.apply(desired, { force: true });
}
