/**
 * The backend-neutral policy model. Constructs produce it; renderers, the semantic diff and the
 * reconciler consume it. Every entry carries its {@link Source}: the construct path that declared
 * it and the rule it stands for, so every synthesized object can be traced back.
 */

export interface Source {
  /** Construct path, e.g. `policies/research-agent`. */
  readonly path: string;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortSpec {
  readonly port: number;
  /** Inclusive end of a port range. */
  readonly endPort?: number;
  readonly protocol: Protocol;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** An allowed HTTP request: method and/or path (a POSIX extended regex matched against the whole path). */
export interface HttpRule {
  readonly method?: HttpMethod;
  readonly path?: string;
}

export interface ZoneModel {
  readonly name: string;
  readonly description?: string;
  /** Zones this zone may send traffic to (besides itself). */
  readonly flowsTo: readonly string[];
  readonly source: Source;
}

/** Pods of one workload: its namespace and the labels that select its pods. */
export interface WorkloadSelector {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

export interface AgentModel extends WorkloadSelector {
  readonly name: string;
  /** The agent's identity, with its namespace: pods with its labels run as it, and only they do. */
  readonly serviceAccount: string;
  /** Agents whose identity this agent may start pods and workloads with (sub-agents, sandboxes), sorted. */
  readonly spawns: readonly string[];
  readonly zone: string;
  /** Names of the RegistryAllowList, SandboxRequirement, RuntimeGuard and GpuTenancy that apply. */
  readonly registry?: string;
  readonly sandbox?: string;
  readonly runtimeGuard?: string;
  readonly gpu?: string;
  /** Guardrail waivers; both false unless explicitly allowed. */
  readonly allowKubeApi: boolean;
  readonly allowCloudMetadata: boolean;
  readonly source: Source;
}

export type EndpointKind = 'tool' | 'data-store' | 'model-server' | 'service';

/** An in-cluster destination (tool, data store, model server) that agents may call. */
export interface EndpointModel extends WorkloadSelector {
  readonly name: string;
  readonly kind: EndpointKind;
  readonly zone: string;
  readonly ports: readonly PortSpec[];
  readonly source: Source;
}

/** A destination outside the cluster, by DNS name (`api.example.com` or `*.example.com`). */
export interface ExternalModel {
  readonly name: string;
  readonly host: string;
  readonly ports: readonly PortSpec[];
  /** Pin TLS SNI to the host name on Cilium. */
  readonly sni: boolean;
  /** Opt-in CIDR fallback for backends without DNS-name egress. */
  readonly cidrFallback?: readonly string[];
  /** The fallback may contain guardrail addresses (metadata, kube-apiserver); they stay excluded. */
  readonly allowWideFallback: boolean;
  /** Ranges always cut out of the fallback (an egress proxy's upstream: every non-public range). */
  readonly fallbackExcept?: readonly string[];
  readonly source: Source;
}

export type PeerRef =
  | { readonly kind: 'agent'; readonly name: string }
  | { readonly kind: 'endpoint'; readonly name: string }
  | { readonly kind: 'external'; readonly name: string };

/** One allowed connection from an agent to a peer. */
export interface EdgeModel {
  readonly from: string;
  readonly to: PeerRef;
  /** Empty: the ports the destination declares. */
  readonly ports: readonly PortSpec[];
  /** Empty: any request (L4 only). */
  readonly http: readonly HttpRule[];
  /** Name of the egress proxy the connection goes through (external destinations only); lowered away before rendering. */
  readonly via?: string;
  readonly source: Source;
}

/** One agent's listener on an egress proxy: the port only it may reach, and the destinations it may ask for there. */
export interface ProxyListener {
  readonly agent: string;
  readonly port: number;
  readonly destinations: ReadonlyArray<{ readonly external: string; readonly host: string; readonly ports: readonly PortSpec[] }>;
}

/**
 * An HTTP(S) forward proxy (Squid) for clusters without DNS-name egress. Each agent that goes
 * through it gets a listener port of its own: the network policy lets only that agent reach the
 * port, and the generated proxy configuration lets that port reach only the agent's destinations.
 */
export interface EgressProxyModel extends WorkloadSelector {
  readonly name: string;
  readonly serviceAccount: string;
  readonly zone: string;
  /** Listener ports lie in [firstPort, firstPort + LISTENER_SLOTS), one per agent, derived from its name (lib/model/egress-proxy.ts). */
  readonly firstPort: number;
  /** Filled when the model is lowered for a cluster (empty as authored). */
  readonly listeners: readonly ProxyListener[];
  readonly source: Source;
}

export type SignatureRule =
  | { readonly kind: 'key'; readonly publicKey: string }
  | { readonly kind: 'keyless'; readonly issuer: string; readonly subject: string };

export interface RegistryModel {
  readonly name: string;
  /** Allowed image reference prefixes, e.g. `ghcr.io/acme/`. */
  readonly prefixes: readonly string[];
  readonly signatures: readonly SignatureRule[];
  readonly source: Source;
}

export type SandboxRuntime = 'gvisor' | 'kata-qemu' | 'kata-clh';

export interface SandboxModel {
  readonly name: string;
  readonly runtime: SandboxRuntime;
  /** RuntimeClass name pods must use. */
  readonly runtimeClassName: string;
  /** CRI handler (`runsc`, `kata-qemu`, `kata-clh`). */
  readonly handler: string;
  readonly overhead: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: ReadonlyArray<{ readonly key: string; readonly operator: 'Exists' | 'Equal'; readonly value?: string; readonly effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule' }>;
  readonly source: Source;
}

export interface RuntimeGuardModel {
  readonly name: string;
  /** Absolute paths of binaries agents may execute. */
  readonly allowedExecutables: readonly string[];
  /** Deny exec of anything under these writable paths (binary drift). */
  readonly writablePaths: readonly string[];
  /** The user accepted that host eBPF cannot see inside gVisor/Kata sandboxes. */
  readonly acknowledgeSandboxBlindSpot: boolean;
  readonly source: Source;
}

export type GpuMode = 'whole' | 'mig';

export interface GpuTenancyModel {
  readonly name: string;
  readonly mode: GpuMode;
  /** Extended resource name → maximum requested in each namespace using this tenancy. */
  readonly quota: Readonly<Record<string, number>>;
  readonly source: Source;
}

export interface QuarantineModel {
  /** Pod label key; value `"true"` isolates a pod at once. */
  readonly label: string;
  /** Keep DNS resolution while quarantined. */
  readonly keepDns: boolean;
  readonly source: Source;
}

export interface PolicyModel {
  readonly zones: readonly ZoneModel[];
  readonly agents: readonly AgentModel[];
  readonly endpoints: readonly EndpointModel[];
  readonly externals: readonly ExternalModel[];
  readonly egressProxies: readonly EgressProxyModel[];
  readonly edges: readonly EdgeModel[];
  readonly registries: readonly RegistryModel[];
  readonly sandboxes: readonly SandboxModel[];
  readonly runtimeGuards: readonly RuntimeGuardModel[];
  readonly gpuTenancies: readonly GpuTenancyModel[];
  readonly quarantine: QuarantineModel;
}
