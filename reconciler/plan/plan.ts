import { canOnlyNarrow } from '../../lib/analysis/narrowing.js';
import { ownershipOf, weakeningFields } from '../../lib/core/kinds.js';
import { stageOf } from '../../lib/core/order.js';
import { idOf, keyOf, type KubeObject, type ResourceKey } from '../../lib/core/resource-id.js';
import { driftOf } from './diff.js';
import { exceptionRefs } from '../observe/foreign.js';
import type { Change, ChangeSet, DesiredSet, Inventory, InventoryEntry, LiveSet, OwnershipMode } from './types.js';


export interface PlanOptions {
  /** Ownership per kind. @default the kind table (lib/core/kinds.ts): exclusive unless listed as merge */
  readonly modeFor?: (obj: Pick<KubeObject, 'apiVersion' | 'kind'>) => OwnershipMode;
  /** Allow pruning Namespaces. @default false */
  readonly allowNamespacePrune?: boolean;
  /** Refuse to prune more than this fraction of managed objects... @default 0.25 */
  readonly pruneFraction?: number;
  /** ...or more than this many objects. @default 50 */
  readonly pruneMax?: number;
  /** Prune above the cap anyway. @default false */
  readonly allowMassPrune?: boolean;
  /** Remove foreign objects that can only narrow access too (else they are reported and kept). @default false */
  readonly removeNarrowingForeign?: boolean;
}

export const defaultMode = (obj: Pick<KubeObject, 'apiVersion' | 'kind'>): OwnershipMode => ownershipOf(obj.apiVersion, obj.kind);

function planDesired(desired: DesiredSet, live: LiveSet, modeFor: (o: Pick<KubeObject, 'apiVersion' | 'kind'>) => OwnershipMode): Change[] {
  const changes: Change[] = [];
  for (const [key, obj] of desired.objects) {
    const id = idOf(obj);
    const have = live.objects.get(key);
    const predicted = live.predicted.get(key) ?? obj;
    if (!have) {
      changes.push({ op: 'create', id, key, desired: obj, stage: stageOf(obj) });
      continue;
    }
    const mode = modeFor(obj);
    const drift = driftOf(predicted, have, mode, weakeningFields(obj.apiVersion, obj.kind));
    changes.push(drift.length === 0 ? { op: 'keep', id, key, desired: obj } : { op: 'update', id, key, desired: obj, live: have, drift, stage: stageOf(obj), mode });
  }
  return changes;
}

function pruneOrSkip(entry: InventoryEntry, live: KubeObject | undefined, allowNamespacePrune: boolean): Change {
  const { key, id } = entry;
  if (!live) return { op: 'skip', id, key, reason: 'already-gone', detail: 'no longer in the cluster' };
  // A GitOps engine's record has no UIDs (entry.uid empty): its name is the record.
  if (entry.uid !== '' && (live.metadata as { uid?: string }).uid !== entry.uid) return { op: 'skip', id, key, reason: 'uid-mismatch', detail: `UID ${(live.metadata as { uid?: string }).uid ?? '?'} is not the recorded ${entry.uid}: not the object palisade created` };
  if (id.kind === 'Namespace' && !allowNamespacePrune) return { op: 'skip', id, key, reason: 'namespace-prune-disabled', detail: 'Namespaces are never pruned unless the cluster sets allowNamespacePrune: true' };
  return { op: 'prune', id, key, live, stage: stageOf(live) };
}

/**
 * Namespaces palisade governed before this plan: those it recorded objects in. A foreign removal
 * there answers a tamper and is never capped (else a flood of foreign policies would switch the
 * correction off); one elsewhere is palisade taking over a namespace, which a wrong revision can
 * make mass destruction, so it counts against the cap like a prune.
 */
function previouslyGoverned(inventory: Inventory): ReadonlySet<string> {
  return new Set(inventory.entries.map((e) => (e.id.kind === 'Namespace' ? e.id.name : e.id.namespace ?? '')).filter((n) => n !== ''));
}

function capped(c: Change, governed: ReadonlySet<string>, firstApply: boolean): boolean {
  if (c.op === 'prune') return true;
  if (c.op !== 'remove-foreign') return false;
  return c.id.namespace === undefined ? firstApply : !governed.has(c.id.namespace);
}

function refusalOf(counted: readonly Change[], managed: number, cap: number): string {
  const prunes = counted.filter((c) => c.op === 'prune').length;
  const foreign = counted.filter((c) => c.op === 'remove-foreign');
  const where = [...new Set(foreign.map((c) => c.id.namespace ?? '(cluster-scoped)'))].sort().join(', ');
  const parts = [`${prunes} prunes of ${managed} managed objects`, ...(foreign.length > 0 ? [`${foreign.length} foreign objects in namespaces palisade did not govern before (${where})`] : [])];
  return `refusing to remove ${counted.length} objects (${parts.join(', ')}): the cap is ${cap} (25% of managed objects, at least 1, at most 50). Check that the source is the one you meant (a wrong branch or path empties it, a new namespace takes over what is there); pass --allow-mass-prune to remove them anyway.`;
}

function capRemovals(changes: Change[], inventory: Inventory, opts: PlanOptions): { changes: Change[]; refusal?: string } {
  const managed = inventory.entries.length;
  const governed = previouslyGoverned(inventory);
  const counted = changes.filter((c) => capped(c, governed, managed === 0));
  const cap = Math.min(Math.max(Math.ceil((opts.pruneFraction ?? 0.25) * managed), 1), opts.pruneMax ?? 50);
  if (counted.length <= cap || opts.allowMassPrune) return { changes };
  const refusal = refusalOf(counted, managed, cap);
  const refused = new Set(counted.map((c) => c.key));
  return {
    refusal,
    changes: changes.map((c): Change => (refused.has(c.key) ? { op: 'skip', id: c.id, key: c.key, reason: 'mass-prune-refused', detail: refusal, drift: c.op === 'prune' ? 'unpruned' : 'foreign' } : c)),
  };
}

/**
 * Compares desired and live state: pure, no I/O. Creates for what is missing, updates for drift
 * (field by field, attributed to the manager that made it), prunes only what the inventory
 * recorded with the same UID, and removals of foreign objects that widen access.
 */
function planUndesired(desired: DesiredSet, live: LiveSet, inventory: Inventory, allowNamespacePrune: boolean): Change[] {
  const recorded = new Set<ResourceKey>(inventory.entries.map((e) => e.key));
  const prunes = inventory.entries.filter((e) => !desired.objects.has(e.key)).map((e) => pruneOrSkip(e, live.objects.get(e.key), allowNamespacePrune));
  const unowned = [...live.objects].filter(([key]) => !desired.objects.has(key) && !recorded.has(key))
    .map(([key, obj]): Change => ({ op: 'skip', id: idOf(obj), key, reason: 'not-in-applyset', detail: 'carries palisade\'s ApplySet label but palisade never applied it (not in the inventory); not a kind the cluster enforces in a governed namespace: left alone' }));
  return [...prunes, ...unowned];
}

export function plan(desired: DesiredSet, live: LiveSet, inventory: Inventory, opts: PlanOptions = {}): ChangeSet {
  // Foreign is decided by ownership (Git + inventory UIDs), so it wins over a forged label or a swapped UID.
  const foreignKeys = new Set(live.foreign.map((o) => keyOf(idOf(o))));
  const undesired = planUndesired(desired, live, inventory, opts.allowNamespacePrune ?? false).filter((c) => !foreignKeys.has(c.key));
  const changes = [...planDesired(desired, live, opts.modeFor ?? defaultMode), ...undesired];
  for (const obj of live.foreign) changes.push(foreignChange(obj, opts.removeNarrowingForeign ?? false));
  const result = capRemovals(changes, inventory, opts);
  return { cluster: desired.cluster, revision: desired.revision, changes: result.changes, ...(result.refusal ? { refusal: result.refusal } : {}) };
}

/**
 * A foreign object is removed, unless the analysis engine reads it as only narrowing access (a
 * deny an on-call engineer added in an emergency): that one is reported and kept, unless the
 * cluster opts into removing it.
 */
function foreignChange(obj: KubeObject, removeNarrowing: boolean): Change {
  const id = idOf(obj);
  if (!removeNarrowing && canOnlyNarrow(obj)) {
    return { op: 'skip', id, key: keyOf(id), reason: 'foreign-narrowing', drift: 'foreign', detail: `a ${obj.kind} palisade did not create that can only narrow access (denies only): kept; declare it in Git, or set removeNarrowingForeign: true in cluster.yaml to remove such objects` };
  }
  return { op: 'remove-foreign', id, key: keyOf(id), live: obj, reason: foreignReason(obj), stage: stageOf(obj) };
}

function foreignReason(obj: KubeObject): string {
  switch (obj.kind) {
    case 'ValidatingAdmissionPolicyBinding':
      return 'a binding palisade did not create refers to a palisade admission policy (it can exempt or weaken it)';
    case 'PolicyException':
      return `a Kyverno PolicyException palisade did not create exempts workloads from ${exceptionRefs(obj).join(', ')}, a guardrail palisade enforces`;
    default:
      return `a ${obj.kind} palisade did not create in a governed namespace (network policies are additive: it can only widen access)`;
  }
}
