import type { KubeObject } from '../../lib/core/resource-id.js';
import { isApiError, type ClusterClient } from '../cluster/client.js';

export interface GroupKind { readonly apiVersion: string; readonly kind: string }

/** A LIST of one kind; a kind whose CRD is not installed has nothing live (applying it will say so clearly). */
export async function listOrEmpty(client: ClusterClient, gk: GroupKind, opts: { namespace?: string; labelSelector?: string }): Promise<KubeObject[]> {
  try {
    return await client.list(gk.apiVersion, gk.kind, opts);
  } catch (e) {
    if (isApiError(e) && e.status === 404) return [];
    if (e instanceof Error && /Unrecognized API version and kind/.test(e.message)) return [];
    throw e;
  }
}
