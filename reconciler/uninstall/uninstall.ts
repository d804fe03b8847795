/**
 * `palisade uninstall`: removes what palisade applied to a cluster, protection first, as its
 * inventory records it (ownership from the inventory, never from labels), then the inventory, the
 * applied-revision record and the Leases. Refuses while the in-cluster reconciler runs (it would
 * put everything back).
 */
import { PalisadeError } from '../../lib/core/errors.js';
import { RECONCILER_NAME } from '../../lib/deploy/reconciler-manifests.js';
import type { ResourceId } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import { INVENTORY_NAMESPACE, inventoryName, loadInventory } from '../inventory/inventory.js';
import { uninstallPlan } from './plan.js';

export interface UninstallOptions {
  readonly cluster: string;
  readonly dryRun: boolean;
  readonly namespaces: boolean;
  /** Called once per object, after it was deleted (or would be, in a dry run). */
  readonly onRemoved?: (id: ResourceId, existed: boolean) => void;
}

export interface UninstallResult {
  readonly removed: readonly ResourceId[];
  /** Recorded in the inventory but already gone. */
  readonly missing: readonly ResourceId[];
  readonly kept: readonly ResourceId[];
}

async function assertReconcilerStopped(client: ClusterClient): Promise<void> {
  const d = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: INVENTORY_NAMESPACE, name: RECONCILER_NAME });
  const replicas = (d?.['spec'] as { replicas?: number } | undefined)?.replicas ?? 1;
  if (d !== undefined && replicas > 0) {
    throw new PalisadeError('InvalidInput', `Deployment/${INVENTORY_NAMESPACE}/${RECONCILER_NAME} is running (${replicas} replica(s)) and would re-apply everything`, {
      hint: `stop it first: kubectl -n ${INVENTORY_NAMESPACE} scale deployment/${RECONCILER_NAME} --replicas=0 (or kubectl -n ${INVENTORY_NAMESPACE} delete deployment/${RECONCILER_NAME}; not kubectl delete -f on the install-manifests output, which also lists namespaces palisade governs)`,
    });
  }
}

/** palisade's own bookkeeping for the cluster in palisade-system. */
const bookkeeping = (cluster: string): ResourceId[] => [
  { apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: inventoryName(cluster) },
  { apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: `palisade-revision-${cluster}` },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: INVENTORY_NAMESPACE, name: `palisade-reconciler-${cluster}` },
];

export async function uninstall(client: ClusterClient, opts: UninstallOptions): Promise<UninstallResult> {
  await assertReconcilerStopped(client);
  const { entries } = await loadInventory(client, opts.cluster);
  const plan = uninstallPlan(entries.map((e) => e.id), opts.cluster, { namespaces: opts.namespaces });
  const removed: ResourceId[] = [];
  const missing: ResourceId[] = [];
  for (const id of [...plan.remove, ...bookkeeping(opts.cluster)]) {
    const existed = opts.dryRun ? (await client.get(id)) !== undefined : await client.delete(id);
    (existed ? removed : missing).push(id);
    opts.onRemoved?.(id, existed);
  }
  return { removed, missing, kept: plan.keep };
}
