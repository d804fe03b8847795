import pLimit from 'p-limit';
import { idOf, keyOf, type KubeObject, type ResourceId, type ResourceKey } from '../../lib/core/resource-id.js';
import { grantedPerNamespace } from '../../lib/core/kinds.js';
import type { ClusterClient } from '../cluster/client.js';
import { PART_OF_LABEL } from '../inventory/inventory.js';
import type { DesiredSet, Inventory, LiveSet } from '../plan/types.js';
import { fightsOf } from './fights.js';
import { listOrEmpty, type GroupKind } from './list.js';
import { exemptingKinds, exemptsFromPalisade, isExemptingKind } from './foreign.js';
import type { Predictor } from './predict.js';
import { selectsGoverned } from './cluster-scope.js';
import { untouchedSinceApply } from './untouched.js';

export function managedKinds(desired: DesiredSet, inventory: Inventory): GroupKind[] {
  const all = [...[...desired.objects.values()].map((o) => ({ apiVersion: o.apiVersion, kind: o.kind })), ...inventory.entries.map((e) => ({ apiVersion: e.id.apiVersion, kind: e.id.kind }))];
  const seen = new Map(all.map((k) => [`${k.apiVersion}/${k.kind}`, k]));
  return [...seen.values()];
}

/**
 * Where one kind is listed: cluster-wide (undefined), or, for a kind granted per namespace (lib/core/kinds.ts),
 * in each namespace that holds a wanted object of it, the only places the reconciler may read it.
 */
function listScopes(gk: GroupKind, wanted: readonly ResourceId[]): Array<string | undefined> {
  if (!grantedPerNamespace(gk.apiVersion, gk.kind)) return [undefined];
  return [...new Set(wanted.filter((id) => id.apiVersion === gk.apiVersion && id.kind === gk.kind && id.namespace !== undefined).map((id) => id.namespace!))].sort();
}

/**
 * palisade's objects: one LIST per kind by the ApplySet label (narrows the work), plus whatever
 * the governed-namespace lists already hold, then a GET for every desired or recorded object still
 * not found: a label is not proof of ownership, and stripping it must not hide an object (it is
 * then drift, corrected in place; a desired name someone else took is corrected, not merged into).
 */
export async function listManaged(client: ClusterClient, kinds: readonly GroupKind[], ctx: { readonly setId: string; readonly wanted: readonly ResourceId[]; readonly seen: readonly KubeObject[] }): Promise<Map<ResourceKey, KubeObject>> {
  const labelSelector = `${PART_OF_LABEL}=${ctx.setId}`;
  const lists = await Promise.all(kinds.flatMap((gk) => listScopes(gk, ctx.wanted).map((namespace) => listOrEmpty(client, gk, { labelSelector, ...(namespace ? { namespace } : {}) }))));
  const found = new Map(lists.flat().map((o) => [keyOf(idOf(o)), o]));
  const seen = new Map(ctx.seen.map((o) => [keyOf(idOf(o)), o]));
  const limit = pLimit(8);
  const missing = ctx.wanted.filter((id) => !found.has(keyOf(id)));
  const got = await Promise.all(missing.map(async (id) => seen.get(keyOf(id)) ?? limit(() => client.get(id))));
  for (const o of got) if (o) found.set(keyOf(idOf(o)), o);
  return found;
}

/**
 * Every object of a kind the cluster's backends enforce in each governed namespace (whoever made
 * it), every cluster-scoped policy of a kind they enforce, and every binding or exception of the
 * exempting kinds.
 */
async function listGoverned(client: ClusterClient, desired: DesiredSet): Promise<KubeObject[]> {
  const limit = pLimit(8);
  const perNamespace = await Promise.all(desired.governedNamespaces.flatMap((ns) => desired.enforcedKinds.map((gk) => limit(() => listOrEmpty(client, gk, { namespace: ns })))));
  const clusterWide = await Promise.all([...exemptingKinds(desired), ...desired.enforcedClusterKinds].map((gk) => listOrEmpty(client, gk, {})));
  return [...perNamespace.flat(), ...clusterWide.flat()];
}

/**
 * Whether palisade owns `o`: desired in Git, or recorded in its inventory with this UID (a GitOps
 * engine's record, which has no UIDs, records by name: `uid` empty). Labels do not count.
 */
export function ownedBy(desired: DesiredSet, inventory: Inventory): (o: KubeObject) => boolean {
  const recorded = new Map(inventory.entries.map((e) => [e.key, e.uid]));
  return (o) => {
    const key = keyOf(idOf(o));
    const uid = recorded.get(key);
    return desired.objects.has(key) || (uid !== undefined && (uid === '' || uid === o.metadata.uid));
  };
}

/**
 * Objects palisade does not own that can widen access in what it governs: of the governed lists,
 * what is not palisade's by its record (Git and inventory UIDs, never a label) and can widen.
 */
export function foreignOf(governed: readonly KubeObject[], desired: DesiredSet, inventory: Inventory): KubeObject[] {
  const owned = ownedBy(desired, inventory);
  return governed.filter((o) => !owned(o) && mayWiden(desired, o));
}

/**
 * What the API server would store for a desired object: the live object itself when it is provably
 * untouched since palisade wrote it (the resourceVersion palisade recorded), else a cached
 * server-side dry-run.
 */
function predictor(inventory: Inventory, dryRun: Predictor): (key: ResourceKey, want: KubeObject, live: KubeObject) => Promise<KubeObject | undefined> {
  const versions = new Map(inventory.entries.map((e) => [e.key, e.resourceVersion]));
  return async (key, want, live) => (untouchedSinceApply(want, live, versions.get(key)) ? live : dryRun.predict(want));
}

/**
 * Live state for a plan: managed objects, predictions for desired objects (the live object itself
 * when it is provably untouched since palisade applied it, else a cached server-side dry-run),
 * foreign widening objects.
 */
export async function observe(client: ClusterClient, desired: DesiredSet, inventory: Inventory, ctx: { readonly setId: string; readonly predictor: Predictor }): Promise<LiveSet> {
  const wanted = [...[...desired.objects.values()].map(idOf), ...inventory.entries.map((e) => e.id)];
  const [governed, fights] = await Promise.all([listGoverned(client, desired), fightsOf(client, desired, new Date())]);
  const objects = await listManaged(client, managedKinds(desired, inventory), { setId: ctx.setId, wanted, seen: governed });
  const foreign = foreignOf(governed, desired, inventory);
  const predict = predictor(inventory, ctx.predictor);
  const predicted = new Map<ResourceKey, KubeObject>();
  await Promise.all([...desired.objects].filter(([key]) => objects.has(key)).map(async ([key, obj]) => {
    const p = await predict(key, obj, objects.get(key)!);
    if (p) predicted.set(key, p);
  }));
  return { observedAt: new Date(), objects, predicted, foreign, fights };
}

/** The objects one scoped pass looks at, each with the state a watch event carried (undefined: read it). */
export type PassScope = ReadonlyMap<ResourceKey, { readonly id: ResourceId; readonly seen?: KubeObject }>;

/**
 * Whether `o`, not palisade's, can widen access in what palisade governs: an enforced kind in a
 * governed namespace, an enforced cluster-scoped policy whose subject can include one, or a
 * binding or exception referring to a palisade policy.
 */
export function mayWiden(desired: DesiredSet, o: KubeObject): boolean {
  if (isExemptingKind(o)) return exemptsFromPalisade(o, desired);
  if (o.metadata.namespace === undefined && desired.enforcedClusterKinds.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)) return selectsGoverned(o, desired);
  return desired.governedNamespaces.includes(o.metadata.namespace ?? '') && desired.enforcedKinds.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind);
}

/**
 * Live state of a few objects (watch mode): the same classification as `observe` — desired,
 * recorded (owned), foreign — for just these keys, from the watch event or one GET each.
 */
export async function observeKeys(client: ClusterClient, desired: DesiredSet, inventory: Inventory, ctx: { readonly scope: PassScope; readonly predictor: Predictor }): Promise<LiveSet> {
  const owned = ownedBy(desired, inventory);
  const predict = predictor(inventory, ctx.predictor);
  const objects = new Map<ResourceKey, KubeObject>();
  const predicted = new Map<ResourceKey, KubeObject>();
  const foreign: KubeObject[] = [];
  await Promise.all([...ctx.scope].map(async ([key, { id, seen }]) => {
    const live = seen ?? (await client.get(id));
    if (!live) return;
    const want = desired.objects.get(key);
    if (want) {
      objects.set(key, live);
      const p = await predict(key, want, live);
      if (p) predicted.set(key, p);
    } else if (owned(live)) objects.set(key, live);
    else if (mayWiden(desired, live)) foreign.push(live);
  }));
  return { observedAt: new Date(), objects, predicted, foreign };
}
