import { parseCalicoSelector } from '../../lib/analysis/calico-selector.js';
import { selectorMatches, type LabelSelector, type Labels } from '../../lib/analysis/label-selector.js';
import { NS_KEY, NS_LABEL_PREFIX, normalizeSelector } from '../../lib/analysis/policies/cilium.js';
import { get } from '../../lib/analysis/policies/common.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { DesiredSet } from '../plan/types.js';

/**
 * Whether a cluster-scoped policy's subject can include a pod of a governed namespace. It fails
 * closed: only a subject that provably names other namespaces (by namespace name or labels) is
 * left alone; pod-label requirements never exclude, since any pod there may wear any label.
 */

/** Labels of each governed namespace as palisade declares them, with the name labels the API server and Calico add. */
function governedNamespaceLabels(desired: DesiredSet): Labels[] {
  const declared = new Map([...desired.objects.values()].filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  return desired.governedNamespaces.map((ns) => ({ ...(declared.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns, 'projectcalico.org/name': ns }));
}

/** The namespace part of a Cilium endpoint selector (pod-label requirements dropped: they never exclude). */
function ciliumNamespacePart(sel: unknown): LabelSelector {
  const isNs = (k: string): boolean => k === NS_KEY || k.startsWith(NS_LABEL_PREFIX);
  const n = normalizeSelector(sel ?? {});
  return { matchLabels: Object.fromEntries(Object.entries(n.matchLabels ?? {}).filter(([k]) => isNs(k))), matchExpressions: (n.matchExpressions ?? []).filter((e) => isNs(e.key)) };
}

function ciliumSelects(o: KubeObject, namespaces: readonly Labels[]): boolean {
  const specs = [get(o, 'spec'), ...((get(o, 'specs') as unknown[] | undefined) ?? [])].filter((s) => s !== undefined);
  const asCilium = (ns: Labels): Labels => ({ [NS_KEY]: ns['kubernetes.io/metadata.name'] ?? '', ...Object.fromEntries(Object.entries(ns).map(([k, v]) => [`${NS_LABEL_PREFIX}${k}`, v])) });
  // A host policy (nodeSelector) selects nodes, not pods.
  return specs.some((s) => get(s, 'nodeSelector') === undefined && namespaces.some((ns) => selectorMatches(ciliumNamespacePart(get(s, 'endpointSelector')), asCilium(ns))));
}

function calicoSelects(o: KubeObject, namespaces: readonly Labels[]): boolean {
  const text = get(o, 'spec', 'namespaceSelector');
  if (typeof text !== 'string' || text.trim() === '') return true;
  try {
    const pred = parseCalicoSelector(text);
    return namespaces.some((ns) => pred(ns));
  } catch {
    return true;
  }
}

function clusterNetworkPolicySelects(o: KubeObject, namespaces: readonly Labels[]): boolean {
  const sel = get(o, 'spec', 'subject', 'namespaces') ?? get(o, 'spec', 'subject', 'pods', 'namespaceSelector');
  if (sel === undefined) return true;
  return namespaces.some((ns) => selectorMatches(sel, ns));
}

export function selectsGoverned(o: KubeObject, desired: DesiredSet): boolean {
  const namespaces = governedNamespaceLabels(desired);
  switch (o.kind) {
    case 'CiliumClusterwideNetworkPolicy': return ciliumSelects(o, namespaces);
    case 'GlobalNetworkPolicy': return calicoSelects(o, namespaces);
    case 'ClusterNetworkPolicy': return clusterNetworkPolicySelects(o, namespaces);
    default: return true;
  }
}
