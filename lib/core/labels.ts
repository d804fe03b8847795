/**
 * Every label, annotation and field-manager name palisade writes or reads. Declared here only.
 */

/** Prefix of all palisade keys. */
export const PREFIX = 'palisade.dev';

/** Field manager used for server-side apply. */
export const FIELD_MANAGER = 'palisade';

export const LABELS = {
  /** `palisade` on every object palisade manages (the ownership label watches filter on). */
  managedBy: 'app.kubernetes.io/managed-by',
  /** Name of the synthesized cluster (`clusters/<name>`). */
  cluster: `${PREFIX}/cluster`,
  /** Agent a workload or object belongs to. */
  agent: `${PREFIX}/agent`,
  /** Lifecycle zone of a namespace or workload. */
  zone: `${PREFIX}/zone`,
  /** `"true"` marks an agent namespace (default-deny, admission rules apply). */
  agentNamespace: `${PREFIX}/agent-namespace`,
  /** `"true"` on a pod isolates it at once (Quarantine). */
  quarantine: `${PREFIX}/quarantine`,
  /** On Events palisade records: `fight` when another writer keeps changing an object. */
  event: `${PREFIX}/event`,
} as const;

export const ANNOTATIONS = {
  /** Construct path that declared an object. */
  source: `${PREFIX}/source`,
  /** Rule(s) an object implements. */
  rule: `${PREFIX}/rule`,
  /**
   * SHA-256 of the object as the reconciler applies it (without this annotation): lets a drift
   * check prove an object untouched since palisade applied it without a server-side dry-run.
   */
  desiredHash: `${PREFIX}/desired-hash`,
  /** On an egress proxy's generated configuration: the labels (JSON) of the proxy pods it configures. */
  proxyPods: `${PREFIX}/proxy-pods`,
} as const;

export const MANAGED_BY_VALUE = 'palisade';
