/**
 * Connectivity analysis: manifests (workloads, namespaces and every policy kind palisade emits or
 * meets) → allowed connections between workloads and to the outside, with the rules that decide.
 */
export { analyze, universeOf, type Analysis, type Connection, type PairExplanation, type Universe } from './analyze.js';
export type { AnalysisOptions } from './translate.js';
export { ConnSet, PROTOCOLS, type Protocol } from './connections.js';
export type { Decision } from './evaluate.js';
export { formatConnlist, formatHttp, formatProxied, proxiedLine, sortConnections } from './format-txt.js';
export { representativeWorkloads, synthesizedInput } from './representatives.js';
export { parseManifests, readManifests, type SourcedObject } from './inputs.js';
export type { HttpRule, PolicySet, RuleRef } from './ir.js';
export { UNSUPPORTED_KINDS, unsupportedKinds } from './unsupported.js';
export type { Peer, Workload } from './topology.js';
export { canOnlyNarrow } from './narrowing.js';
export { parseSquidConfig, squidAllows, type SquidConfig } from './proxy/squid.js';
export type { ProxiedConnection } from './proxy/reach.js';
