/** Identity labels Cilium derives for every endpoint (pkg/k8s/apis/cilium.io constants). */
export const NS_LABEL = 'k8s:io.kubernetes.pod.namespace';
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
