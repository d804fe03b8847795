/** What one cluster runs, read from `clusters/<name>/cluster.yaml`. */

export type NetworkBackend = 'kubernetes' | 'cilium' | 'calico';
export type AdmissionBackend = 'vap' | 'kyverno';
export type RuntimeBackend = 'tetragon' | 'none';

export interface DnsSpec {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

export interface ClusterSpec {
  /** Cluster name: the folder name under clusters/. */
  readonly name: string;
  readonly network: NetworkBackend;
  readonly admission: AdmissionBackend;
  /** @default 'none' */
  readonly runtime: RuntimeBackend;
  /** Emit ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) guardrails. @default false */
  readonly clusterNetworkPolicy: boolean;
  /** The Calico in use is Calico Enterprise/Cloud (DNS-domain egress). @default false */
  readonly calicoEnterprise: boolean;
  /** Where cluster DNS runs. @default kube-system, k8s-app=kube-dns */
  readonly dns: DnsSpec;
  /** kube-apiserver addresses, for backends without an API-server entity. @default none */
  readonly kubeApiServerCidrs: readonly string[];
  /**
   * The pod address ranges (IPv4), for the analysis of Calico `nets` and, on Calico, `ipBlock`
   * rules, which match pod addresses too. @default DEFAULT_POD_CIDRS (lib/core/networks.ts)
   */
  readonly podCidrs?: readonly string[];
  /** kubeconfig context to use. @default the current context */
  readonly context?: string;
  /** Allow the reconciler to prune Namespaces. @default false */
  readonly allowNamespacePrune: boolean;
  /** Remove foreign policies that can only narrow access too (emergency denies). @default false: reported and kept */
  readonly removeNarrowingForeign?: boolean;
  /**
   * Who applies palisade's output to this cluster. `palisade` (the reconciler); `argocd` or `flux`:
   * the GitOps engine does, so `palisade drift` is report-only and takes ownership from the
   * engine's own record (Argo CD `Application.status.resources`, Flux
   * `Kustomization.status.inventory`), read from its namespace, and `palisade reconcile` refuses.
   * @default { engine: 'palisade' }
   */
  readonly syncedBy?: SyncedBy;
  /**
   * Native admission protection (cluster.yaml `protect`, on by default): a ValidatingAdmissionPolicy
   * denies changes to what palisade manages, and new policies of the kinds this cluster enforces in
   * governed namespaces, to everyone but the trusted identities. `false` turns it off.
   */
  readonly protect?: ProtectSpec | false;
}

export interface ProtectSpec {
  /** Users trusted besides the sync engine's own identity (e.g. the CI user that runs `reconcile --once`). */
  readonly users: readonly string[];
  /** Groups trusted. @default [system:masters] (cluster-admin is outside the threat model) */
  readonly groups: readonly string[];
  /** Members may change protected objects in an emergency (README: Responding to incidents). @default palisade:break-glass */
  readonly breakGlassGroup: string;
  /** Named in the denial message: where to change the policies instead. */
  readonly repository?: string;
}

export const DEFAULT_PROTECT: ProtectSpec = { users: [], groups: ['system:masters'], breakGlassGroup: 'palisade:break-glass' };

export type SyncEngine = 'palisade' | 'argocd' | 'flux';

export interface SyncedBy {
  readonly engine: SyncEngine;
  /** The engine's namespace. @default argocd (Argo CD), flux-system (Flux) */
  readonly namespace?: string;
  /** The Application or Kustomization. @default palisade-<cluster> (as `palisade` generates them) */
  readonly name?: string;
}

export const DEFAULT_DNS: DnsSpec = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
