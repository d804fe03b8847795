/** API group and resource name of every kind palisade manages (for least-privilege RBAC). */
export const RESOURCES: Readonly<Record<string, { readonly group: string; readonly resource: string }>> = {
  Namespace: { group: '', resource: 'namespaces' },
  ResourceQuota: { group: '', resource: 'resourcequotas' },
  RuntimeClass: { group: 'node.k8s.io', resource: 'runtimeclasses' },
  NetworkPolicy: { group: 'networking.k8s.io', resource: 'networkpolicies' },
  CiliumNetworkPolicy: { group: 'cilium.io', resource: 'ciliumnetworkpolicies' },
  CiliumClusterwideNetworkPolicy: { group: 'cilium.io', resource: 'ciliumclusterwidenetworkpolicies' },
  Tier: { group: 'projectcalico.org', resource: 'tiers' },
  GlobalNetworkPolicy: { group: 'projectcalico.org', resource: 'globalnetworkpolicies' },
  GlobalNetworkSet: { group: 'projectcalico.org', resource: 'globalnetworksets' },
  ClusterNetworkPolicy: { group: 'policy.networking.k8s.io', resource: 'clusternetworkpolicies' },
  TracingPolicyNamespaced: { group: 'cilium.io', resource: 'tracingpoliciesnamespaced' },
  ValidatingAdmissionPolicy: { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies' },
  ValidatingAdmissionPolicyBinding: { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicybindings' },
  ValidatingPolicy: { group: 'policies.kyverno.io', resource: 'validatingpolicies' },
  ImageValidatingPolicy: { group: 'policies.kyverno.io', resource: 'imagevalidatingpolicies' },
};

/** Calico's namespaced NetworkPolicy shares its kind name with Kubernetes'; keyed by apiVersion. */
export function resourceOf(apiVersion: string, kind: string): { group: string; resource: string } | undefined {
  if (kind === 'NetworkPolicy' && apiVersion.startsWith('projectcalico.org/')) return { group: 'projectcalico.org', resource: 'networkpolicies' };
  return RESOURCES[kind];
}
