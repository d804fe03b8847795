import pLimit from 'p-limit';
import { idOf, keyOf, type KubeObject, type ResourceKey } from '../../lib/core/resource-id.js';
import { isApiError, type ClusterClient } from '../cluster/client.js';
import { PART_OF_LABEL } from '../inventory/inventory.js';
import type { DesiredSet, Inventory, LiveSet } from '../plan/types.js';
import { exemptingKinds, exemptsFromPalisade } from './foreign.js';
import type { Predictor } from './predict.js';
import { untouchedSinceApply } from './untouched.js';

/** Namespaced policy kinds that, created by anyone else in a governed namespace, can only widen access. */
export const WIDENING_KINDS: ReadonlyArray<{ readonly apiVersion: string; readonly kind: string }> = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' },
  { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' },
];

export interface GroupKind { readonly apiVersion: string; readonly kind: string }

export function managedKinds(desired: DesiredSet, inventory: Inventory): GroupKind[] {
  const all = [...[...desired.objects.values()].map((o) => ({ apiVersion: o.apiVersion, kind: o.kind })), ...inventory.entries.map((e) => ({ apiVersion: e.id.apiVersion, kind: e.id.kind }))];
  const seen = new Map(all.map((k) => [`${k.apiVersion}/${k.kind}`, k]));
  return [...seen.values()];
}

async function listOrEmpty(client: ClusterClient, gk: GroupKind, opts: { namespace?: string; labelSelector?: string }): Promise<KubeObject[]> {
  try {
    return await client.list(gk.apiVersion, gk.kind, opts);
  } catch (e) {
    // A kind whose CRD is not installed has nothing live; applying it will say so clearly.
    if (isApiError(e) && e.status === 404) return [];
    if (e instanceof Error && /Unrecognized API version and kind/.test(e.message)) return [];
    throw e;
  }
}

/** palisade's own objects, found by the ApplySet label (one LIST per kind, never the whole cluster). */
export async function listManaged(client: ClusterClient, kinds: readonly GroupKind[], setId: string): Promise<Map<ResourceKey, KubeObject>> {
  const lists = await Promise.all(kinds.map((gk) => listOrEmpty(client, gk, { labelSelector: `${PART_OF_LABEL}=${setId}` })));
  return new Map(lists.flat().map((o) => [keyOf(idOf(o)), o]));
}

/** Objects palisade does not own that widen access in what it governs. */
export async function listForeign(client: ClusterClient, desired: DesiredSet, setId: string): Promise<KubeObject[]> {
  const usedKinds = WIDENING_KINDS.filter((w) => [...desired.objects.values()].some((o) => o.apiVersion === w.apiVersion && o.kind === w.kind));
  const notOurs = (o: KubeObject): boolean => o.metadata.labels?.[PART_OF_LABEL] !== setId;
  const limit = pLimit(8);
  const perNamespace = await Promise.all(desired.governedNamespaces.flatMap((ns) => usedKinds.map((gk) => limit(() => listOrEmpty(client, gk, { namespace: ns })))));
  const exempting = await Promise.all(exemptingKinds(desired).map((gk) => listOrEmpty(client, gk, {})));
  return [...perNamespace.flat(), ...exempting.flat().filter((o) => exemptsFromPalisade(o, desired))].filter(notOurs);
}

/**
 * Live state for a plan: managed objects, predictions for desired objects (the live object itself
 * when it is provably untouched since palisade applied it, else a cached server-side dry-run),
 * foreign widening objects.
 */
export async function observe(client: ClusterClient, desired: DesiredSet, inventory: Inventory, ctx: { readonly setId: string; readonly predictor: Predictor }): Promise<LiveSet> {
  const [objects, foreign] = await Promise.all([listManaged(client, managedKinds(desired, inventory), ctx.setId), listForeign(client, desired, ctx.setId)]);
  const predicted = new Map<ResourceKey, KubeObject>();
  await Promise.all([...desired.objects].filter(([key]) => objects.has(key)).map(async ([key, obj]) => {
    const live = objects.get(key)!;
    const p = untouchedSinceApply(obj, live) ? live : await ctx.predictor.predict(obj);
    if (p) predicted.set(key, p);
  }));
  return { observedAt: new Date(), objects, predicted, foreign };
}
