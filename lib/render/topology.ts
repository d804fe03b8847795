import type { AgentModel, EdgeModel, EndpointModel, ExternalModel, PolicyModel, PortSpec, WorkloadSelector } from '../model/model.js';

export { agentOf } from '../model/identity.js';

/** A namespace palisade governs: where agents or endpoints run. */
export interface ManagedNamespace {
  readonly name: string;
  readonly zone: string;
  readonly hasAgents: boolean;
  readonly sources: readonly string[];
}

export function managedNamespaces(model: PolicyModel): ManagedNamespace[] {
  const map = new Map<string, { zone: string; hasAgents: boolean; sources: string[] }>();
  const agents = new Set<unknown>(model.agents);
  for (const w of [...model.agents, ...model.endpoints]) {
    const entry = map.get(w.namespace) ?? { zone: w.zone, hasAgents: false, sources: [] };
    entry.hasAgents ||= agents.has(w);
    entry.sources.push(w.source.path);
    map.set(w.namespace, entry);
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, e]) => ({ name, ...e, sources: e.sources.sort() }));
}

export type Target =
  | { readonly kind: 'agent'; readonly workload: AgentModel }
  | { readonly kind: 'endpoint'; readonly workload: EndpointModel }
  | { readonly kind: 'external'; readonly external: ExternalModel };

/**
 * What renderers look up over and over, built once per model: workloads and externals by name
 * (first of each name wins, as a search would), the resolved edges, and those edges by source agent.
 */
interface ModelIndex {
  readonly agents: ReadonlyMap<string, AgentModel>;
  readonly endpoints: ReadonlyMap<string, EndpointModel>;
  readonly externals: ReadonlyMap<string, ExternalModel>;
  readonly edges: readonly ResolvedEdge[];
  readonly edgesFrom: ReadonlyMap<string, readonly ResolvedEdge[]>;
}
const indexes = new WeakMap<PolicyModel, ModelIndex>();

function firstByName<T extends { readonly name: string }>(xs: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(x.name)) m.set(x.name, x);
  return m;
}

function indexOf(model: PolicyModel): ModelIndex {
  const known = indexes.get(model);
  if (known) return known;
  const names = { agents: firstByName(model.agents), endpoints: firstByName(model.endpoints), externals: firstByName(model.externals) };
  const edges: ResolvedEdge[] = [];
  const edgesFrom = new Map<string, ResolvedEdge[]>();
  for (const edge of model.edges) {
    const from = names.agents.get(edge.from);
    const target = lookUp(names, edge);
    if (!from || !target) continue;
    const r = { edge, from, target, ports: edgePorts(edge, target) };
    edges.push(r);
    const mine = edgesFrom.get(from.name);
    if (mine) mine.push(r); else edgesFrom.set(from.name, [r]);
  }
  const index = { ...names, edges, edgesFrom };
  indexes.set(model, index);
  return index;
}

function lookUp(names: Pick<ModelIndex, 'agents' | 'endpoints' | 'externals'>, e: EdgeModel): Target | undefined {
  switch (e.to.kind) {
    case 'agent': { const w = names.agents.get(e.to.name); return w && { kind: 'agent', workload: w }; }
    case 'endpoint': { const w = names.endpoints.get(e.to.name); return w && { kind: 'endpoint', workload: w }; }
    case 'external': { const x = names.externals.get(e.to.name); return x && { kind: 'external', external: x }; }
  }
}

export function targetOf(model: PolicyModel, e: EdgeModel): Target | undefined {
  return lookUp(indexOf(model), e);
}

/** Ports an edge allows: its own, else the destination's. */
export function edgePorts(e: EdgeModel, t: Target): readonly PortSpec[] {
  if (e.ports.length > 0) return e.ports;
  switch (t.kind) {
    case 'agent': return [];
    case 'endpoint': return t.workload.ports;
    case 'external': return t.external.ports;
  }
}

export interface ResolvedEdge { readonly edge: EdgeModel; readonly from: AgentModel; readonly target: Target; readonly ports: readonly PortSpec[] }

/** Edges with both ends resolved (model validation already reported dangling ones). */
export function resolvedEdges(model: PolicyModel): readonly ResolvedEdge[] {
  return indexOf(model).edges;
}

/** The resolved edges an agent starts, in declaration order. */
export function edgesFrom(model: PolicyModel, agent: string): readonly ResolvedEdge[] {
  return indexOf(model).edgesFrom.get(agent) ?? [];
}

/** In-cluster workloads that receive traffic, each with the edges that reach it. */
export function ingressTargets(model: PolicyModel): Array<{ workload: WorkloadSelector & { name: string; source: { path: string } }; edges: ResolvedEdge[] }> {
  const byName = new Map<string, { workload: AgentModel | EndpointModel; edges: ResolvedEdge[] }>();
  for (const r of resolvedEdges(model)) {
    if (r.target.kind === 'external') continue;
    const key = `${r.target.kind}/${r.target.workload.name}`;
    const entry = byName.get(key) ?? { workload: r.target.workload, edges: [] };
    entry.edges.push(r);
    byName.set(key, entry);
  }
  return [...byName.keys()].sort().map((k) => byName.get(k)!);
}

/** Agents without the cloud-metadata waiver, grouped: whole namespaces with no waiver, and the rest agent by agent. */
export function metadataDenyScope(model: PolicyModel): { readonly namespaces: readonly string[]; readonly agents: readonly AgentModel[] } {
  const waivedNs = new Set(model.agents.filter((a) => a.allowCloudMetadata).map((a) => a.namespace));
  return {
    // Every governed namespace, not only agents': tool servers and data stores are SSRF pivots too.
    namespaces: [...new Set([...model.agents, ...model.endpoints].map((w) => w.namespace))].filter((n) => !waivedNs.has(n)).sort(),
    agents: model.agents.filter((a) => waivedNs.has(a.namespace) && !a.allowCloudMetadata),
  };
}

export const sortedLabels = (l: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
