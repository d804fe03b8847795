import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import type { OwnershipMode } from '../plan/types.js';

/**
 * Writes `desired`. A create, or an update of a merge-mode kind, is a server-side apply with force.
 * An update of an exclusive kind first replaces the whole object (guarded by the resourceVersion
 * observed), so nothing another manager owns survives: an extra label, a key in a granular map, or
 * an item of a set-type list such as validationActions, which a forced apply would merge with
 * palisade's (`[Warn, Deny]`, refused by the API server). A forced apply then makes palisade the
 * owner of every declared field again. Returns the object as stored by the last write.
 */
export async function applyExclusive(client: ClusterClient, desired: KubeObject, live: KubeObject | undefined, mode: OwnershipMode): Promise<KubeObject> {
  if (live !== undefined && mode === 'exclusive') {
    const resourceVersion = live.metadata['resourceVersion'];
    await client.replace({ ...desired, metadata: { ...desired.metadata, ...(resourceVersion ? { resourceVersion } : {}) } });
  }
  return client.apply(desired, { force: true });
}
