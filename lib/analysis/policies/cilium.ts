import { ConnSet, PROTOCOLS, parseProtocol, type Protocol } from '../connections.js';
import type { Direction, HttpRule, Policy, Rule } from '../ir.js';
import { selectorMatches, type LabelSelector, type Labels } from '../label-selector.js';
import { CLUSTER_ENTITIES, type ClusterEntity, type Peer, type Workload } from '../topology.js';
import { dnsCovers } from './admin.js';
import { IPV4_ALL } from '../ip.js';
import { get, str, inputError, ipMatches, ipSetOf, list, refOf, type Obj } from './common.js';
import type { RuleContext, TranslateContext } from './context.js';

/** Cilium's identity label keys (without the `k8s:` source) for an endpoint's namespace and its namespace's labels. */
export const NS_KEY = 'io.kubernetes.pod.namespace';
export const NS_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';

const SA_KEY = 'io.cilium.k8s.policy.serviceaccount';

/** Cilium's view of an endpoint's labels: pod labels plus namespace and ServiceAccount identity labels. */
function ciliumLabels(w: { namespace: string; labels: Labels; nsLabels: Labels; serviceAccount: string }): Labels {
  const { namespace, labels, nsLabels } = w;
  const out: Record<string, string> = { ...labels, [NS_KEY]: namespace, [SA_KEY]: w.serviceAccount };
  for (const [k, v] of Object.entries(nsLabels)) out[`${NS_LABEL_PREFIX}${k}`] = v;
  return out;
}

function stripSource(key: string): string {
  return key.replace(/^(k8s|any):/, '');
}

/** Normalizes `k8s:`/`any:` label sources; reserved:* labels stay (and never match a pod). */
export function normalizeSelector(sel: LabelSelector): LabelSelector {
  return {
    matchLabels: Object.fromEntries(Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [stripSource(k), String(v)])),
    matchExpressions: (sel.matchExpressions ?? []).map((e) => ({ ...e, key: stripSource(e.key) })),
  };
}

const keysOf = (sel: LabelSelector): string[] => [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];

/**
 * Whether a peer selector chooses its namespaces itself: it names the namespace, or selects on
 * namespace labels (Cilium's getEndpointSelector adds the policy's namespace only otherwise).
 */
function choosesNamespace(sel: LabelSelector): boolean {
  return keysOf(sel).some((k) => k === NS_KEY || k.startsWith(NS_LABEL_PREFIX));
}

type Endpoint = { namespace: string; labels: Labels; nsLabels: Labels; serviceAccount: string };

/** A peer selector; in a namespaced policy it is confined to the policy's namespace unless it chooses its namespaces. */
function endpointMatcher(raw: unknown, namespace: string | undefined): (w: Endpoint) => boolean {
  const sel = normalizeSelector((raw ?? {}));
  const confine = namespace !== undefined && !choosesNamespace(sel);
  return (w) => (!confine || w.namespace === namespace) && selectorMatches(sel, ciliumLabels(w));
}

/**
 * The subject selector of a CiliumNetworkPolicy always applies in the policy's namespace
 * (ParseToCiliumRule sets the namespace label, replacing any the selector names).
 */
function subjectMatcher(raw: unknown, namespace: string | undefined): (w: Endpoint) => boolean {
  const sel = normalizeSelector((raw ?? {}));
  if (namespace === undefined) return (w) => selectorMatches(sel, ciliumLabels(w));
  const { [NS_KEY]: _ignored, ...matchLabels } = sel.matchLabels ?? {};
  const scoped = { ...sel, matchLabels };
  return (w) => w.namespace === namespace && selectorMatches(scoped, ciliumLabels(w));
}

interface RuleCtx extends RuleContext {
  readonly namespace: string | undefined;
  /** The endpoints the policy selects. */
  readonly selects: (w: Workload) => boolean;
}

type Matcher = (p: Peer, subject: Workload) => boolean;

export function translateCiliumPolicy(obj: Obj, source: string, ctx: TranslateContext): Policy {
  const ref = refOf(obj);
  const namespace = obj['kind'] === 'CiliumNetworkPolicy' ? str(get(obj, 'metadata', 'namespace'), 'default') : undefined;
  const fail = (field: string, msg: string): never => {
    throw inputError(ref, field, msg, source);
  };
  const specs = get(obj, 'spec') !== undefined ? [['spec', get(obj, 'spec')] as const] : list(get(obj, 'specs')).map((s, i) => [`specs[${i}]`, s] as const);
  if (specs.length > 1) ctx.warn(`${ref}: only spec/specs[0] is analysed`);
  const [base, spec] = specs[0] ?? fail('spec', 'missing');
  const selects = get(spec, 'nodeSelector') !== undefined ? () => false : subjectMatcher(get(spec, 'endpointSelector'), namespace);
  const rc: RuleCtx = { ref, namespace, fail, ctx, selects };
  const dd = get(spec, 'enableDefaultDeny');
  const direction = (dir: Direction): Rule[] | undefined => {
    const allows = list(get(spec, dir)).flatMap((r, i) => ciliumRules(r, `${base}.${dir}[${i}]`, { ...rc, dir, action: 'Allow' }));
    const denies = list(get(spec, `${dir}Deny`)).flatMap((r, i) => ciliumRules(r, `${base}.${dir}Deny[${i}]`, { ...rc, dir, action: 'Deny' }));
    // Cilium puts a direction into policy enforcement only when the rule has entries there
    // (repository.go: len(r.Ingress) > 0 || len(r.IngressDeny) > 0); enableDefaultDeny alone, or an
    // empty list, changes nothing.
    const present = list(get(spec, dir)).length > 0 || list(get(spec, `${dir}Deny`)).length > 0;
    return present ? [...denies, ...allows] : undefined;
  };
  const ingress = direction('ingress');
  const egress = direction('egress');
  return {
    ref, layer: 'union', order: [ref], selects: (w: Workload) => selects(w),
    ...(ingress === undefined ? {} : { ingress }),
    ...(egress === undefined ? {} : { egress }),
    defaultDeny: { ...(get(dd, 'ingress') === false ? { ingress: false } : {}), ...(get(dd, 'egress') === false ? { egress: false } : {}) },
  };
}

const PEER_FIELDS = { ingress: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet'], egress: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toFQDNs'] } as const;

/**
 * Peer fields the analysis cannot name, with the peers each may stand for: nodes (by labels the
 * analysis does not have) are the host and remote-node identities; cloud groups and selector-less
 * Services are addresses outside the cluster. `fromRequires`/`toRequires` constrain other rules and
 * stand for no peer of their own (not modelled).
 */
const UNNAMED_PEERS: Readonly<Record<string, { readonly entities: readonly ClusterEntity[]; readonly matches: (p: Peer) => boolean } | undefined>> = {
  fromRequires: undefined,
  toRequires: undefined,
  fromNodes: { entities: ['host', 'remote-node'], matches: (p) => p.type === 'entity' },
  toNodes: { entities: ['host', 'remote-node'], matches: (p) => p.type === 'entity' },
  fromGroups: { entities: [], matches: (p) => p.type === 'ip' },
  toGroups: { entities: [], matches: (p) => p.type === 'ip' || p.type === 'dns' },
  toServices: { entities: [], matches: (p) => p.type === 'ip' || p.type === 'dns' },
};

/**
 * An unmodelled peer field never widens its rule to every peer: an allow matches every peer it may
 * stand for (reach is shown, not hidden), a deny matches none (the analysis does not claim a denial
 * it cannot see). Either way it is a warning.
 */
function unnamedPeers(rule: unknown, field: string, rc: RuleCtx & { readonly dir: Direction; readonly action: 'Allow' | 'Deny' }): Matcher[] {
  return Object.entries(UNNAMED_PEERS).flatMap(([f, stands]) => {
    if (get(rule, f) === undefined) return [];
    rc.ctx.warn(`${rc.ref}: ${field}.${f} is not analysed${stands === undefined ? '' : rc.action === 'Allow' ? ' (read as allowing every peer of its kind)' : ' (read as denying nothing)'}`);
    if (stands === undefined) return [];
    if (rc.action === 'Deny') return [() => false];
    stands.entities.forEach((e) => rc.ctx.noteEntity(e));
    if (stands.entities.length === 0) rc.ctx.noteIpSet(IPV4_ALL, rc.dir);
    return [stands.matches];
  });
}

function httpRules(entry: unknown): HttpRule[] {
  return list(get(entry, 'rules', 'http')).map((h): HttpRule => ({
    ...(get(h, 'method') === undefined ? {} : { method: String(get(h, 'method')) }),
    ...(get(h, 'path') === undefined ? {} : { path: String(get(h, 'path')) }),
    ...(get(h, 'host') === undefined ? {} : { host: String(get(h, 'host')) }),
  }));
}

/**
 * `icmps` joins toPorts as a rule's L4 part (RulesToPolicyEntries appends icmpRules): with ICMP
 * alone the rule allows (or denies) no TCP, UDP or SCTP at all. ICMP itself is not modelled.
 */
function icmpOnly(rule: unknown, field: string, rc: RuleCtx): boolean {
  if (list(get(rule, 'icmps')).length === 0) return false;
  const only = list(get(rule, 'toPorts')).length === 0;
  rc.ctx.warn(`${rc.ref}: ${field}.icmps: ICMP is not analysed${only ? ' (the rule covers no TCP, UDP or SCTP)' : ''}`);
  return only;
}

/** The rules of one Cilium ingress/egress (or …Deny) entry: one per `toPorts` entry. */
function ciliumRules(rule: unknown, field: string, rc: RuleCtx & { readonly dir: Direction; readonly action: 'Allow' | 'Deny' }): Rule[] {
  const matchers = [...PEER_FIELDS[rc.dir].flatMap((f) => (get(rule, f) === undefined ? [] : [peerMatcher(f, get(rule, f), `${field}.${f}`, rc)])), ...unnamedPeers(rule, field, rc)];
  const toPorts = list(get(rule, 'toPorts'));
  if (matchers.length === 0 && toPorts.length === 0) return [];
  const matches: Matcher = matchers.length === 0 ? () => true : (p, subject) => matchers.some((m) => m(p, subject));
  if (icmpOnly(rule, field, rc)) return [];
  const entries = toPorts.length === 0 ? [undefined] : toPorts;
  if (rc.dir === 'egress' && rc.action === 'Allow') noteDnsRules(toPorts, rc);
  return entries.map((entry, i) => {
    const conns = entry === undefined ? ConnSet.all() : portsOf(entry, `${field}.toPorts[${i}]`, rc);
    const http = httpRules(entry);
    return { action: rc.action, ref: { policy: rc.ref, rule: entry === undefined ? field : `${field}.toPorts[${i}]` }, matches, conns: () => conns, ...(http.length > 0 ? { http } : {}) };
  });
}

/** The DNS rules of an egress allow's ports: lookups of those names by the selected endpoints go through the DNS proxy. */
function noteDnsRules(toPorts: readonly unknown[], rc: RuleCtx): void {
  const patterns = toPorts.flatMap((entry) => list(get(entry, 'rules', 'dns')).map((d) => str(get(d, 'matchName') ?? get(d, 'matchPattern'))).filter((n) => n !== ''));
  if (patterns.length > 0) rc.ctx.noteDnsVisibility(rc.selects, patterns);
}

function portsOf(entry: unknown, field: string, rc: RuleCtx): ConnSet {
  const ports = list(get(entry, 'ports'));
  if (ports.length === 0) return ConnSet.all();
  return ports.reduce<ConnSet>((acc, p, i) => {
    const protoText = str(get(p, 'protocol'), 'ANY').toUpperCase();
    const protocols: readonly Protocol[] = protoText === 'ANY' ? PROTOCOLS : [parseProtocol(protoText) ?? rc.fail(`${field}.ports[${i}].protocol`, `unsupported protocol ${protoText}`)];
    const port = Number(get(p, 'port') ?? 0);
    if (!Number.isInteger(port)) rc.fail(`${field}.ports[${i}].port`, `named ports are not analysed (${String(get(p, 'port'))})`);
    const end = get(p, 'endPort');
    return protocols.reduce((a, proto) => a.union(port === 0 ? ConnSet.of(proto) : ConnSet.port(proto, port, end === undefined ? undefined : Number(end))), acc);
  }, ConnSet.none());
}

/**
 * What an entity name selects. "cluster … includes all Cilium-managed endpoints …, as well as the
 * host, remote-node, and init identities" (language.rst, Entities based); the API server runs on a
 * node; `world` is outside the cluster only.
 */
const ENTITY_PEERS: Readonly<Record<string, (p: Peer) => boolean>> = {
  all: () => true,
  world: (p) => p.type === 'ip' || p.type === 'dns',
  'world-ipv4': (p) => p.type === 'ip' || p.type === 'dns',
  cluster: (p) => p.type === 'workload' || p.type === 'ingress-controller' || p.type === 'entity',
  host: (p) => p.type === 'entity' && p.entity === 'host',
  // The API server's reserved identity (7) carries both reserved:kube-apiserver and
  // reserved:remote-node (pkg/identity/numericidentity.go reservedIdentityLabels): remote-node selects it too.
  'remote-node': (p) => p.type === 'entity' && (p.entity === 'remote-node' || p.entity === 'kube-apiserver'),
  'kube-apiserver': (p) => p.type === 'entity' && p.entity === 'kube-apiserver',
};

const entityMatches = (entity: string, p: Peer): boolean => Object.hasOwn(ENTITY_PEERS, entity) && ENTITY_PEERS[entity]!(p);

/** The cluster entities an entity name stands for (they become peers of the analysis). */
const ENTITIES_OF: Readonly<Record<string, readonly ClusterEntity[]>> = { cluster: CLUSTER_ENTITIES, host: ['host'], 'remote-node': ['remote-node'], 'kube-apiserver': ['kube-apiserver'] };

function peerMatcher(kind: string, value: unknown, field: string, rc: RuleCtx): Matcher {
  switch (kind) {
    case 'fromEndpoints':
    case 'toEndpoints': {
      const ms = list(value).map((s) => endpointMatcher(s, rc.namespace));
      return (p) => p.type === 'workload' && ms.some((m) => m(p));
    }
    case 'fromEntities':
    case 'toEntities': {
      const entities = list(value).map(String);
      for (const e of entities) for (const x of ENTITIES_OF[e] ?? []) rc.ctx.noteEntity(x);
      return (p) => entities.some((e) => entityMatches(e, p));
    }
    case 'toFQDNs': {
      const names = list(value).map((f) => String(get(f, 'matchName') ?? get(f, 'matchPattern')));
      names.forEach((n) => rc.ctx.noteDns(n));
      // The IPs of a name are learnt from the endpoint's own lookups through the DNS proxy: without a
      // DNS rule covering the name, Cilium never learns them and the rule allows nothing (A17;
      // language.rst, DNS based: "requires … an L7 policy allowing DNS requests").
      return (p, subject) => p.type === 'dns' && names.some((n) => dnsCovers(n, p.name, 'label')) && rc.ctx.dnsVisible(subject, p.name);
    }
    default:
      return cidrMatcher(kind, value, field, rc);
  }
}

function cidrMatcher(kind: string, value: unknown, field: string, rc: RuleCtx): (p: Peer) => boolean {
  const sets = list(value).flatMap((entry, i) => {
    const set = kind.endsWith('CIDRSet')
      ? ipSetOf({ cidr: get(entry, 'cidr'), except: get(entry, 'except') }, `${field}[${i}]`, rc)
      : ipSetOf({ cidr: entry }, `${field}[${i}]`, rc);
    if (set !== undefined) rc.ctx.noteIpSet(set, rc.dir ?? 'egress');
    return set === undefined ? [] : [set];
  });
  return (p) => sets.some((s) => ipMatches(s, p));
}
