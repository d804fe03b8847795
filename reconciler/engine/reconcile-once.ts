import type { ClusterClient } from '../cluster/client.js';
import { apply, nextInventory, type ApplyOptions, type ApplyResult } from '../apply/apply.js';
import { applySetId, inventoryNamespace, loadInventory, saveInventory } from '../inventory/inventory.js';
import { observe } from '../observe/observe.js';
import type { Predictor } from '../observe/predict.js';
import { plan, type PlanOptions } from '../plan/plan.js';
import type { ChangeSet, LiveSet } from '../plan/types.js';
import { buildDriftReport, type DriftReport } from '../report/index.js';
import type { ClusterTarget } from '../source/desired.js';

export interface ReconcileOptions extends PlanOptions, ApplyOptions {
  /** Apply the plan (reconcile) or only report it (drift). */
  readonly write: boolean;
}

export interface PassResult {
  readonly report: DriftReport;
  readonly changeSet: ChangeSet;
  readonly live: LiveSet;
  readonly result?: ApplyResult;
}

/**
 * One pass for one cluster: inventory → observe → plan → (apply → prune → inventory) → report.
 * With `write: false` nothing is written to the cluster.
 */
export async function reconcileOnce(client: ClusterClient, predictor: Predictor, target: ClusterTarget, opts: ReconcileOptions): Promise<PassResult> {
  const name = target.spec.name;
  const setId = applySetId(name);
  const inventory = await loadInventory(client, name);
  const live = await observe(client, target.desired, inventory, { setId, predictor });
  const changeSet = plan(target.desired, live, inventory, { ...opts, allowNamespacePrune: target.spec.allowNamespacePrune });
  if (!opts.write) return { report: buildDriftReport(changeSet), changeSet, live };
  await client.apply(inventoryNamespace());
  const result = await apply(client, changeSet, opts);
  const stamps = new Map([...live.objects].flatMap(([k, o]) => (o.metadata.uid ? [[k, { uid: o.metadata.uid, resourceVersion: typeof o.metadata['resourceVersion'] === 'string' ? o.metadata['resourceVersion'] : '' }] as const] : [])));
  await saveInventory(client, name, nextInventory(inventory.entries, changeSet, result, stamps));
  return { report: buildDriftReport(changeSet, result), changeSet, live, result };
}
