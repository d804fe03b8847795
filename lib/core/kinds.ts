/**
 * The one table of every kind palisade manages or watches: its API resource, how palisade owns it,
 * and which backend enforces it (so foreign objects of that kind in a governed namespace are drift).
 * Plan (ownership), observe and watch (foreign kinds) and the generated ClusterRole derive from it.
 * A kind missing here fails closed: exclusive ownership, and no RBAC until it is added.
 */
import type { AdmissionBackend, NetworkBackend } from '../cluster/cluster-spec.js';

export type Ownership = 'exclusive' | 'merge';

export interface KindSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly group: string;
  readonly resource: string;
  readonly namespaced: boolean;
  /** exclusive: every field is palisade's; merge: only the fields palisade declares. */
  readonly ownership: Ownership;
  /**
   * Backends that enforce this kind: on a cluster running one of them, an object of this kind in a
   * governed namespace that palisade did not apply is foreign (it can widen access).
   */
  readonly enforcedBy: ReadonlyArray<NetworkBackend | AdmissionBackend>;
  /**
   * Merge-mode kinds: fields palisade does not declare whose presence weakens a control (JSON
   * pointers; a field under one is drift when someone else adds it, and is removed on correction).
   */
  readonly weakening: readonly string[];
  /**
   * How the reconciler is granted this kind: `cluster` (its ClusterRole), or `namespace` (a Role in
   * each namespace that holds a desired object of the kind, listed and watched there only) for kinds
   * whose cluster-wide grant would expose or let it delete other teams' data (ConfigMaps).
   */
  readonly grant: 'cluster' | 'namespace';
}

type Row = readonly [apiVersion: string, kind: string, resource: string, namespaced: boolean, ownership: Ownership, enforcedBy?: KindSpec['enforcedBy'], weakening?: readonly string[]];

const k = (...[apiVersion, kind, resource, namespaced, ownership, enforcedBy = [], weakening = []]: Row): KindSpec => ({
  apiVersion, kind, group: apiVersion.includes('/') ? apiVersion.split('/')[0]! : '', resource, namespaced, ownership, enforcedBy, weakening, grant: 'cluster',
});

/** Pod Security labels beside `enforce` that pin an old, laxer policy version or add exemptions. */
const POD_SECURITY_WEAKENING = ['/metadata/labels/pod-security.kubernetes.io~1enforce-version'];

export const KINDS: readonly KindSpec[] = [
  k('v1', 'Namespace', 'namespaces', false, 'merge', [], POD_SECURITY_WEAKENING),
  // A scope narrows which pods a quota counts (GPU tenancy quotas would stop applying).
  k('v1', 'ResourceQuota', 'resourcequotas', true, 'merge', [], ['/spec/scopes', '/spec/scopeSelector']),
  // An agent's identity; others may add imagePullSecrets. Token automount is palisade's field.
  k('v1', 'ServiceAccount', 'serviceaccounts', true, 'merge'),
  // An egress proxy's generated configuration (its per-agent domain lists).
  { ...k('v1', 'ConfigMap', 'configmaps', true, 'exclusive'), grant: 'namespace' },
  k('node.k8s.io/v1', 'RuntimeClass', 'runtimeclasses', false, 'exclusive'),
  // Cilium and Calico enforce Kubernetes NetworkPolicy too, additively with their own policies.
  k('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, 'exclusive', ['kubernetes', 'cilium', 'calico']),
  k('cilium.io/v2', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', true, 'exclusive', ['cilium']),
  k('cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', false, 'exclusive', ['cilium']),
  k('projectcalico.org/v3', 'NetworkPolicy', 'networkpolicies', true, 'exclusive', ['calico']),
  k('projectcalico.org/v3', 'NetworkSet', 'networksets', true, 'exclusive', ['calico']),
  k('projectcalico.org/v3', 'Tier', 'tiers', false, 'exclusive'),
  k('projectcalico.org/v3', 'GlobalNetworkPolicy', 'globalnetworkpolicies', false, 'exclusive', ['calico']),
  k('projectcalico.org/v3', 'GlobalNetworkSet', 'globalnetworksets', false, 'exclusive'),
  k('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'clusternetworkpolicies', false, 'exclusive'),
  k('cilium.io/v1alpha1', 'TracingPolicyNamespaced', 'tracingpoliciesnamespaced', true, 'exclusive'),
  k('cilium.io/v1alpha1', 'TracingPolicy', 'tracingpolicies', false, 'exclusive'),
  k('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false, 'exclusive'),
  k('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false, 'exclusive'),
  k('policies.kyverno.io/v1', 'ValidatingPolicy', 'validatingpolicies', false, 'exclusive'),
  k('policies.kyverno.io/v1', 'ImageValidatingPolicy', 'imagevalidatingpolicies', false, 'exclusive'),
  k('policies.kyverno.io/v1', 'PolicyException', 'policyexceptions', true, 'exclusive'),
];

const byKey = new Map(KINDS.map((s) => [`${s.apiVersion}/${s.kind}`, s]));

/** The table entry of a kind, by apiVersion and kind (Calico's NetworkPolicy shares Kubernetes' kind name). */
export function kindSpec(apiVersion: string, kind: string): KindSpec | undefined {
  return byKey.get(`${apiVersion}/${kind}`);
}

/** Ownership of a kind; a kind not in the table is exclusive (fail closed). */
export function ownershipOf(apiVersion: string, kind: string): Ownership {
  return kindSpec(apiVersion, kind)?.ownership ?? 'exclusive';
}

/** Whether the reconciler is granted (and lists and watches) this kind per namespace only (false for a kind not in the table, which gets no RBAC at all). */
export function grantedPerNamespace(apiVersion: string, kind: string): boolean {
  return kindSpec(apiVersion, kind)?.grant === 'namespace';
}

/** Undeclared fields that weaken a control of a merge-mode kind (none for a kind not in the table). */
export function weakeningFields(apiVersion: string, kind: string): readonly string[] {
  return kindSpec(apiVersion, kind)?.weakening ?? [];
}

/** Namespaced kinds the cluster's dataplane or admission enforces: foreign ones in governed namespaces are drift. */
export function enforcedKinds(cluster: { readonly network: NetworkBackend; readonly admission: AdmissionBackend }): KindSpec[] {
  return KINDS.filter((s) => s.namespaced && (s.enforcedBy.includes(cluster.network) || s.enforcedBy.includes(cluster.admission)));
}

/**
 * Cluster-scoped policy kinds the cluster's dataplane enforces (CiliumClusterwideNetworkPolicy on
 * Cilium, GlobalNetworkPolicy on Calico, ClusterNetworkPolicy where the cluster declares it): a
 * foreign one whose subject can include a governed namespace is drift.
 */
export function enforcedClusterKinds(cluster: { readonly network: NetworkBackend; readonly admission: AdmissionBackend; readonly clusterNetworkPolicy?: boolean }): KindSpec[] {
  const byBackend = KINDS.filter((s) => !s.namespaced && (s.enforcedBy.includes(cluster.network) || s.enforcedBy.includes(cluster.admission)));
  const cnp = cluster.clusterNetworkPolicy ? KINDS.filter((s) => s.kind === 'ClusterNetworkPolicy') : [];
  return [...byBackend, ...cnp];
}
