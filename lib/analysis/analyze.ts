import { ConnSet } from './connections.js';
import { Evaluator, type Decision } from './evaluate.js';
import { ingressExposure } from './exposure.js';
import type { SourcedObject } from './inputs.js';
import type { HttpRule, PolicySet } from './ir.js';
import { ipAtoms } from './ip.js';
import { dnsPeer, entityPeer, INGRESS_CONTROLLER, ipPeer, type Peer, type Workload } from './topology.js';
import { translatePolicies, type AnalysisOptions } from './translate.js';
import { proxiedConnections, proxyConfigs, type ProxiedConnection } from './proxy/reach.js';
import { namespaceLabels, workloadsOf } from './workloads.js';

/** One allowed connection between two peers, with why. */
export interface Connection {
  readonly src: Peer;
  readonly dst: Peer;
  readonly conns: ConnSet;
  /** HTTP rules that further restrict the connection (Cilium L7), if any. */
  readonly http?: readonly HttpRule[];
}

export interface PairExplanation {
  readonly src: Peer;
  readonly dst: Peer;
  readonly conns: ConnSet;
  readonly egress?: readonly Decision[];
  readonly ingress?: readonly Decision[];
  readonly exposed?: ConnSet;
}

export interface Analysis {
  readonly workloads: readonly Workload[];
  readonly peers: readonly Peer[];
  readonly connections: readonly Connection[];
  readonly policies: PolicySet;
  readonly warnings: readonly string[];
  /** What workloads reach through egress proxies (from the proxies' generated configuration). */
  readonly proxied: readonly ProxiedConnection[];
  /** Explains any pair (pure; computed on demand). */
  explain(src: Peer, dst: Peer): PairExplanation;
}

/** The analysed peers and policies, before connections are computed. */
export interface Universe {
  readonly workloads: readonly Workload[];
  readonly external: readonly Peer[];
  readonly policies: PolicySet;
  readonly exposure: ReadonlyMap<string, ConnSet>;
}

export function universeOf(objects: readonly SourcedObject[], options: AnalysisOptions = {}): Universe {
  const policies = translatePolicies(objects, options);
  const workloads = workloadsOf(objects, namespaceLabels(objects));
  const exposure = ingressExposure(objects, workloads);
  const external: Peer[] = [
    ...ipAtoms(policies.ipSets.ingress).map((r) => ({ ...ipPeer(r), side: 'ingress' as const })),
    ...ipAtoms(policies.ipSets.egress).map((r) => ({ ...ipPeer(r), side: 'egress' as const })),
    ...policies.dnsNames.map(dnsPeer),
    ...policies.entities.map(entityPeer),
    ...(exposure.size > 0 ? [INGRESS_CONTROLLER] : []),
  ];
  return { workloads, external, policies, exposure };
}

const workloadOrUndefined = (p: Peer): Workload | undefined => (p.type === 'workload' ? p : undefined);

/** What Ingress/Route exposure permits from the ingress controller to `dst` (undefined: not that pair). */
function exposureOf(u: Universe, src: Peer, dst: Peer): ConnSet | undefined {
  return src.type === 'ingress-controller' && dst.type === 'workload' ? (u.exposure.get(dst.id) ?? ConnSet.none()) : undefined;
}

function pair(ev: Evaluator, u: Universe, src: Peer, dst: Peer): PairExplanation {
  const from = workloadOrUndefined(src);
  const to = workloadOrUndefined(dst);
  const egress = from && ev.direction(from, 'egress', dst, to);
  const ingress = to && ev.direction(to, 'ingress', src, to);
  const exposed = exposureOf(u, src, dst);
  const conns = [egress?.allowed, ingress?.allowed, exposed].reduce<ConnSet>((acc, c) => (c === undefined ? acc : acc.intersect(c)), ConnSet.all());
  return { src, dst, conns, ...(egress && { egress: egress.decisions }), ...(ingress && { ingress: ingress.decisions }), ...(exposed && { exposed }) };
}

/**
 * The HTTP rules of a connection: only when they hold for every port it allows (a connection is
 * reported as one set of ports; HTTP rules on port 80 do not restrict a plain allow of port 81).
 */
function httpOf(p: PairExplanation): readonly HttpRule[] | undefined {
  const rules = [...(p.egress ?? []), ...(p.ingress ?? [])].filter((d) => d.verdict === 'allow' && d.http !== undefined && !d.conns.intersect(p.conns).isEmpty());
  if (rules.length === 0) return undefined;
  const covered = rules.reduce((acc, d) => acc.union(d.conns), ConnSet.none());
  return p.conns.subtract(covered).isEmpty() ? rules.flatMap((d) => d.http ?? []) : undefined;
}

/** The (source, destination) pairs to evaluate: workload → workload, → egress peers; ingress peers → workload. */
function* pairsOf(u: Universe): Generator<readonly [Peer, Peer]> {
  const egressPeers = u.external.filter((e) => e.type === 'dns' || e.type === 'entity' || (e.type === 'ip' && e.side === 'egress'));
  const ingressPeers = u.external.filter((e) => e.type === 'ingress-controller' || e.type === 'entity' || (e.type === 'ip' && e.side === 'ingress'));
  for (const src of u.workloads) {
    for (const dst of u.workloads) if (src !== dst) yield [src, dst];
    for (const ext of egressPeers) yield [src, ext];
  }
  for (const ext of ingressPeers) for (const dst of u.workloads) yield [ext, dst];
}

/** The connections allowed from src to dst; stops at the first direction that allows nothing. */
function allowedConns(ev: Evaluator, u: Universe, src: Peer, dst: Peer): ConnSet {
  const from = workloadOrUndefined(src);
  const to = workloadOrUndefined(dst);
  let conns = from ? ev.direction(from, 'egress', dst, to).allowed : ConnSet.all();
  if (conns.isEmpty() || to === undefined) return conns;
  conns = conns.intersect(ev.direction(to, 'ingress', src, to).allowed);
  const exposed = exposureOf(u, src, dst);
  return exposed === undefined ? conns : conns.intersect(exposed);
}

/**
 * Every allowed connection between workloads, and between workloads and the outside. Pairs are
 * screened cheaply first (most agent pairs are denied at the source); decisions are kept only for
 * the allowed ones.
 */
export function analyze(objects: readonly SourcedObject[], options: AnalysisOptions = {}): Analysis {
  const u = universeOf(objects, options);
  const ev = new Evaluator(u.policies);
  const connections: Connection[] = [];
  for (const [src, dst] of pairsOf(u)) {
    if (allowedConns(ev, u, src, dst).isEmpty()) continue;
    const p = pair(ev, u, src, dst);
    const http = httpOf(p);
    connections.push({ src, dst, conns: p.conns, ...(http && { http }) });
  }
  const configs = proxyConfigs(objects);
  const network = {
    connections,
    workloads: u.workloads,
    peers: [...u.workloads, ...u.external],
    policies: u.policies,
    warnings: [...u.policies.warnings, ...u.policies.approximations, ...configs.flatMap((c) => c.conf.problems.map((p) => `${c.source}: ${p}`))],
    explain: (src: Peer, dst: Peer) => pair(ev, u, src, dst),
  };
  return { ...network, proxied: proxiedConnections(network, configs) };
}
