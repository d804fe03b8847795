import { PalisadeError } from '../../lib/core/errors.js';
import { keyOf, type KubeObject, type ResourceId } from '../../lib/core/resource-id.js';
import type { ClusterSpec, SyncedBy } from '../../lib/cluster/cluster-spec.js';
import type { ClusterClient } from '../cluster/client.js';
import type { Inventory, InventoryEntry } from '../plan/types.js';

/**
 * Ownership on a cluster that Argo CD or Flux syncs: the objects the engine applied, from the
 * engine's own record in its namespace (never from labels on the objects). Neither records UIDs,
 * so an entry's `uid` is empty: the name is the record.
 */
const DEFAULT_NAMESPACE = { argocd: 'argocd', flux: 'flux-system' } as const;

const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);
const entryOf = (id: ResourceId): InventoryEntry => ({ id, key: keyOf(id), uid: '', resourceVersion: '' });
const idOf = (apiVersion: string, kind: string, namespace: string, name: string): ResourceId => (namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name });

/** Flux `status.inventory.entries[].id` is `<namespace>_<name>_<group>_<kind>`, `v` the version. */
export function fluxEntries(kustomization: KubeObject): InventoryEntry[] {
  const entries = ((kustomization['status'] as { inventory?: { entries?: Array<{ id?: string; v?: string }> } } | undefined)?.inventory?.entries) ?? [];
  return entries.flatMap((e) => {
    const parts = (e.id ?? '').split('_');
    if (parts.length !== 4 || !e.v) return [];
    const [namespace = '', name = '', group = '', kind = ''] = parts;
    return [entryOf(idOf(apiVersionOf(group, e.v), kind, namespace, name))];
  });
}

/** Argo CD `status.resources[]`: group, version, kind, namespace, name. */
export function argoEntries(application: KubeObject): InventoryEntry[] {
  const resources = ((application['status'] as { resources?: Array<Record<string, string | undefined>> } | undefined)?.resources) ?? [];
  return resources.flatMap((r) => (r['kind'] && r['name'] && r['version'] ? [entryOf(idOf(apiVersionOf(r['group'] ?? '', r['version']), r['kind'], r['namespace'] ?? '', r['name']))] : []));
}

/** Reads the engine's record for a cluster synced by Argo CD or Flux. */
export async function engineInventory(client: ClusterClient, cluster: ClusterSpec & { readonly syncedBy: SyncedBy }): Promise<Inventory> {
  const { engine } = cluster.syncedBy;
  if (engine === 'palisade') throw new Error('engineInventory: the cluster is synced by palisade');
  const namespace = cluster.syncedBy.namespace ?? DEFAULT_NAMESPACE[engine];
  const name = cluster.syncedBy.name ?? `palisade-${cluster.name}`;
  const id = engine === 'flux'
    ? { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace, name }
    : { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace, name };
  const record = await client.get(id);
  if (!record) {
    throw new PalisadeError('InvalidInput', `cluster ${cluster.name} is synced by ${engine}, but ${id.kind}/${namespace}/${name} does not exist: palisade cannot tell which objects the engine applied`, {
      hint: `Set syncedBy.namespace and syncedBy.name in clusters/${cluster.name}/cluster.yaml to the ${id.kind} that syncs this cluster.`,
    });
  }
  return { entries: engine === 'flux' ? fluxEntries(record) : argoEntries(record) };
}
