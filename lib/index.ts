/**
 * palisade's public authoring API. Policies in `policies/` import only from here.
 */

// Constructs: who the agents are and what each may do.
export { Agent, type AgentProps, type AllowOptions } from './constructs/agent.js';
export { Zone, type ZoneProps } from './constructs/zone.js';
export { Endpoint, Tool, DataStore, ModelServer, type EndpointProps } from './constructs/endpoint.js';
export { ExternalEndpoint, type ExternalEndpointProps } from './constructs/external-endpoint.js';
export { EgressProxy, type EgressProxyProps } from './constructs/egress-proxy.js';
export {
  RegistryAllowList, Signature, SandboxRequirement, RuntimeGuard, GpuTenancy, Quarantine, SANDBOX_DEFAULTS,
  type RegistryAllowListProps, type SandboxRequirementProps, type RuntimeGuardProps, type GpuTenancyProps, type QuarantineProps,
} from './constructs/controls.js';
export { Port, Http } from './constructs/values.js';

// Clusters: which backends each one runs.
export type { ClusterSpec, NetworkBackend, AdmissionBackend, RuntimeBackend } from './cluster/cluster-spec.js';
export { capabilitiesOf, type Capabilities } from './cluster/capabilities.js';
export { loadCluster, listClusters, parseClusterSpec } from './cluster/load.js';

// The model and synthesis.
export type * from './model/model.js';
export type { SynthIssue, IssueCode } from './model/issues.js';
export { synthesize, SynthError, indexOf, fileNameOf, type PolicyDefinition, type SynthResult, type IndexEntry } from './synth/synthesize.js';
export { writeSynthOutput, renderFiles, toYaml } from './synth/write.js';

// Shared vocabulary.
export { LABELS, ANNOTATIONS, FIELD_MANAGER } from './core/labels.js';
export { PalisadeError, isPalisadeError, describeError } from './core/errors.js';
export { formatId, type KubeObject, type ResourceId } from './core/resource-id.js';
