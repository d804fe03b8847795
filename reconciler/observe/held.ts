/**
 * What watch mode holds of an object between its event and its handling. A label-selected watch
 * delivers every object that wears palisade's ApplySet label, and anyone who may create objects in
 * a namespace can put that label on as many large objects as they like (nothing on a live object
 * is proof). So an event is held whole only when palisade has something to judge from it; any
 * other is held as its id, and handled from a fresh read, and only if the inventory records the
 * object (one palisade created and must prune).
 */
import type { KubeObject, ResourceKey } from '../../lib/core/resource-id.js';
import type { DesiredSet } from '../plan/types.js';
import { exemptingKinds } from './foreign.js';

const kindOf = (o: { readonly apiVersion: string; readonly kind: string }): string => `${o.apiVersion}/${o.kind}`;

/**
 * True when the event's object must be held whole: it is desired, or of an enforced
 * cluster-scoped or exempting kind (watched everywhere), or of a kind the cluster enforces in one
 * of its governed namespaces.
 * Proof obligation: every object the scoped pass could correct or remove without a record in the
 * inventory falls in one of these; an object that falls in none is either recorded in the
 * inventory (handled from a fresh read) or none of palisade's business.
 */
export function holdWhole(key: ResourceKey, obj: KubeObject, desired: DesiredSet): boolean {
  if (desired.objects.has(key)) return true;
  // Watched everywhere: cluster-scoped enforced kinds, and kinds that exempt requests from palisade's admission policies.
  if ([...desired.enforcedClusterKinds, ...exemptingKinds(desired)].some((k) => kindOf(k) === kindOf(obj))) return true;
  const ns = obj.metadata.namespace;
  return ns !== undefined && desired.governedNamespaces.includes(ns) && desired.enforcedKinds.some((k) => kindOf(k) === kindOf(obj));
}

/** The id of an object, all that is held of one that is not held whole. */
export const slim = (obj: KubeObject): KubeObject => ({
  apiVersion: obj.apiVersion, kind: obj.kind,
  metadata: { name: obj.metadata.name, ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }) },
});
