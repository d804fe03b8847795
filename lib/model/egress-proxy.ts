import { NON_PUBLIC_CIDRS } from '../core/networks.js';
import type { AgentModel, EdgeModel, EgressProxyModel, ExternalModel, PolicyModel, PortSpec, ProxyListener } from './model.js';
import type { SynthIssue } from './issues.js';

/**
 * Lowers `allowTo(host, { via: proxy })` into what renderers already know: the proxy becomes a
 * workload with an identity (an agent without waivers), each agent gets an edge to its own listener
 * port, the proxy gets egress to the destinations (by DNS name where the dataplane has it, else to
 * public addresses only) and the proxy model gets its listeners, from which its configuration is
 * generated. Pure; the result has no `via` edges left.
 */

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = <T extends { readonly name: string }>(a: T, b: T): number => cmp(a.name, b.name);
const edgeKey = (e: EdgeModel): string => `${e.from}>${e.to.kind}:${e.to.name}`;
const byEdge = (a: EdgeModel, b: EdgeModel): number => cmp(edgeKey(a), edgeKey(b));

const samePort = (a: PortSpec, b: PortSpec): boolean => a.port === b.port && a.endPort === b.endPort && a.protocol === b.protocol;
const uniquePorts = (ports: readonly PortSpec[]): PortSpec[] =>
  ports.filter((p, i) => ports.findIndex((q) => samePort(p, q)) === i).sort((a, b) => cmp(a.protocol, b.protocol) || a.port - b.port);

function destinationOf(model: PolicyModel, e: EdgeModel): ProxyListener['destinations'][number] | undefined {
  const x = model.externals.find((ex) => ex.name === e.to.name);
  return x && { external: x.name, host: x.host, ports: e.ports.length > 0 ? e.ports : x.ports };
}

/** Listener ports per proxy: `firstPort` plus a slot in [0, LISTENER_SLOTS). */
export const LISTENER_SLOTS = 1000;

/** FNV-1a (32 bit) of a string: a stable slot that depends on nothing but the agent's name. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/**
 * Each agent's port depends only on its own name, so adding or removing an agent never moves
 * another agent's port (agents configure theirs in HTTPS_PROXY, and a renumbering would, until the
 * proxy reloads, point an agent's allowed port at another agent's listener). Two names on one slot:
 * the later in name order takes the next free one.
 */
function portsOf(agents: readonly string[], firstPort: number): Map<string, number> {
  const taken = new Set<number>();
  const ports = new Map<string, number>();
  for (const agent of agents) {
    let slot = fnv1a(agent) % LISTENER_SLOTS;
    while (taken.has(slot)) slot = (slot + 1) % LISTENER_SLOTS;
    taken.add(slot);
    ports.set(agent, firstPort + slot);
  }
  return ports;
}

function listenersOf(model: PolicyModel, proxy: EgressProxyModel, edges: readonly EdgeModel[]): ProxyListener[] {
  const agents = [...new Set(edges.map((e) => e.from))].sort();
  const ports = portsOf(agents, proxy.firstPort);
  return agents.map((agent) => ({
    agent, port: ports.get(agent)!,
    destinations: edges.filter((e) => e.from === agent).map((e) => destinationOf(model, e)).filter((d) => d !== undefined).sort((a, b) => cmp(a.external, b.external)),
  }));
}

const proxyAgent = (p: EgressProxyModel): AgentModel => ({
  name: p.name, namespace: p.namespace, serviceAccount: p.serviceAccount, podLabels: p.podLabels, zone: p.zone,
  spawns: [], allowKubeApi: false, allowCloudMetadata: false, source: p.source,
});

/** The proxy's own egress: to each destination by name, or to every public address on the destinations' ports. */
function upstream(p: EgressProxyModel, listeners: readonly ProxyListener[], fqdnEgress: boolean): { externals: ExternalModel[]; edges: EdgeModel[] } {
  const dests = listeners.flatMap((l) => l.destinations);
  if (dests.length === 0) return { externals: [], edges: [] };
  const edge = (to: string, ports: readonly PortSpec[]): EdgeModel => ({ from: p.name, to: { kind: 'external', name: to }, ports: uniquePorts(ports), http: [], source: { path: `${p.source.path}/upstream/${to}` } });
  if (fqdnEgress) {
    const names = [...new Set(dests.map((d) => d.external))].sort();
    return { externals: [], edges: names.map((n) => edge(n, dests.filter((d) => d.external === n).flatMap((d) => d.ports))) };
  }
  const name = `${p.name}-upstream`;
  const ports = uniquePorts(dests.flatMap((d) => d.ports));
  return {
    externals: [{ name, host: 'public internet', ports, sni: false, cidrFallback: ['0.0.0.0/0'], allowWideFallback: true, fallbackExcept: NON_PUBLIC_CIDRS, source: { path: `${p.source.path}/upstream` } }],
    edges: [edge(name, ports)],
  };
}

function viaIssues(model: PolicyModel): SynthIssue[] {
  return model.edges.filter((e) => e.via !== undefined && !model.egressProxies.some((p) => p.name === e.via)).map((e) => ({
    code: 'UnknownReference' as const, path: e.source.path, message: `egress proxy "${e.via}" is not declared in this policy set`,
  }));
}

export function lowerEgressProxies(model: PolicyModel, fqdnEgress: boolean): { model: PolicyModel; issues: SynthIssue[] } {
  const issues = viaIssues(model);
  if (model.egressProxies.length === 0 || issues.length > 0) return { model, issues };
  const agents: AgentModel[] = [...model.agents];
  const externals: ExternalModel[] = [...model.externals];
  const edges: EdgeModel[] = model.edges.filter((e) => e.via === undefined);
  const proxies = model.egressProxies.map((p) => {
    const listeners = listenersOf(model, p, model.edges.filter((e) => e.via === p.name));
    const up = upstream(p, listeners, fqdnEgress);
    agents.push(proxyAgent(p));
    externals.push(...up.externals);
    edges.push(...listeners.map((l) => ({ from: l.agent, to: { kind: 'agent' as const, name: p.name }, ports: [{ port: l.port, protocol: 'TCP' as const }], http: [], source: { path: `${p.source.path}/listener/${l.agent}` } })), ...up.edges);
    return { ...p, listeners };
  });
  return { model: { ...model, agents: agents.sort(byName), externals: externals.sort(byName), edges: edges.sort(byEdge), egressProxies: proxies }, issues };
}
