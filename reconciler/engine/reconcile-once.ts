import type { ResourceKey } from '../../lib/core/resource-id.js';
import { PalisadeError } from '../../lib/core/errors.js';
import type { ClusterClient } from '../cluster/client.js';
import { engineInventory } from '../inventory/engine-record.js';
import { apply, nextInventory, type ApplyOptions, type ApplyResult, type LiveStamp } from '../apply/apply.js';
import { applySetId, configMapStore, inventoryNamespace, type InventoryStore } from '../inventory/inventory.js';
import { observe, observeKeys, type PassScope } from '../observe/observe.js';
import type { Predictor } from '../observe/predict.js';
import { plan, type PlanOptions } from '../plan/plan.js';
import type { ChangeSet, DesiredSet, Inventory, LiveSet } from '../plan/types.js';
import { buildDriftReport, type DriftReport } from '../report/index.js';
import type { ClusterTarget } from '../source/desired.js';

export interface ReconcileOptions extends PlanOptions, ApplyOptions {
  /** Apply the plan (reconcile) or only report it (drift). */
  readonly write: boolean;
  /**
   * Only these objects (watch mode: the objects events arrived for). The pass is the same one, on
   * a subset: observe → plan → apply → inventory → report.
   */
  readonly scope?: PassScope;
  /** Where ownership is read and recorded. @default the inventory ConfigMap */
  readonly inventory?: InventoryStore;
}

export interface PassResult {
  readonly report: DriftReport;
  readonly changeSet: ChangeSet;
  readonly live: LiveSet;
  readonly result?: ApplyResult;
}

const within = <T extends { readonly key: ResourceKey }>(items: readonly T[], scope: PassScope | undefined): T[] => (scope ? items.filter((i) => scope.has(i.key)) : [...items]);

function scopedDesired(desired: DesiredSet, scope: PassScope | undefined): DesiredSet {
  return scope ? { ...desired, objects: new Map([...desired.objects].filter(([k]) => scope.has(k))) } : desired;
}

const stampsOf = (live: LiveSet): Map<ResourceKey, LiveStamp> => new Map([...live.objects].flatMap(([k, o]) => (o.metadata.uid
  ? [[k, { uid: o.metadata.uid, resourceVersion: typeof o.metadata['resourceVersion'] === 'string' ? o.metadata['resourceVersion'] : '' }] as const] : [])));

/**
 * What palisade may treat as its own: its inventory, or on a cluster Argo CD or Flux syncs, the
 * engine's record (report-only: a write there is refused, it would fight the engine).
 */
async function ownershipRecord(client: ClusterClient, spec: ClusterTarget['spec'], opts: { readonly write: boolean; readonly store: InventoryStore }): Promise<Inventory> {
  const { syncedBy } = spec;
  if (syncedBy === undefined || syncedBy.engine === 'palisade') return opts.store.read();
  const { write } = opts;
  if (write) {
    throw new PalisadeError('InvalidInput', `cluster ${spec.name} is synced by ${syncedBy.engine} (clusters/${spec.name}/cluster.yaml syncedBy): palisade only reports drift there; correcting it would fight the engine`, {
      hint: `Run palisade drift -c ${spec.name} and let ${syncedBy.engine} correct it (self-heal), or set syncedBy.engine: palisade.`,
    });
  }
  return engineInventory(client, { ...spec, syncedBy });
}

/**
 * One pass for one cluster (or, with `scope`, for a few of its objects): inventory → observe → plan
 * → (apply → prune → inventory) → report. With `write: false` nothing is written to the cluster.
 */
export async function reconcileOnce(client: ClusterClient, predictor: Predictor, target: ClusterTarget, opts: ReconcileOptions): Promise<PassResult> {
  const name = target.spec.name;
  const store = opts.inventory ?? configMapStore(client, name);
  const inventory = await ownershipRecord(client, target.spec, { write: opts.write, store });
  const scoped: Inventory = { entries: within(inventory.entries, opts.scope) };
  const live = opts.scope
    ? await observeKeys(client, target.desired, inventory, { scope: opts.scope, predictor })
    : await observe(client, target.desired, inventory, { setId: applySetId(name), predictor });
  const changeSet = plan(scopedDesired(target.desired, opts.scope), live, scoped, { ...opts, allowNamespacePrune: target.spec.allowNamespacePrune, removeNarrowingForeign: target.spec.removeNarrowingForeign ?? false });
  const fights = live.fights ?? [];
  if (!opts.write) return { report: buildDriftReport(changeSet, undefined, { fights }), changeSet, live };
  if (!opts.scope) await client.apply(inventoryNamespace());
  const result = await apply(client, changeSet, opts);
  const next = nextInventory(scoped.entries, changeSet, result, stampsOf(live));
  // A scoped pass replaces only its own records, and only when it wrote (a watch event that found
  // nothing to do, such as the echo of palisade's own write, costs no inventory write); a full pass
  // replaces all of them.
  const { scope } = opts;
  if (!scope) await store.update(() => next);
  else if (result.entries.some((e) => e.action !== 'unchanged' && e.action !== 'skipped')) {
    await store.update((current) => [...current.filter((e) => !scope.has(e.key)), ...next]);
  }
  return { report: buildDriftReport(changeSet, result, { fights }), changeSet, live, result };
}
