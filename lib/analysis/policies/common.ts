import { PalisadeError } from '../../core/errors.js';
import { ConnSet, parseProtocol, type Protocol } from '../connections.js';
import { contains, equals, intersect, subtract, type IntervalList } from '../intervals.js';
import { ipBlockSet, PUBLIC_IPV4 } from '../ip.js';
import type { Peer, Workload } from '../topology.js';
import type { RuleContext } from './context.js';

export type Obj = Record<string, unknown>;

export function get(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>)[key] : undefined;
  return cur;
}

/** A scalar as text; objects and absent values give `fallback`. */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects). */
export function refOf(obj: Obj): string {
  const ns = get(obj, 'metadata', 'namespace');
  const name = str(get(obj, 'metadata', 'name'), '<unnamed>');
  return typeof ns === 'string' && ns !== '' ? `${String(obj['kind'])}/${ns}/${name}` : `${String(obj['kind'])}/${name}`;
}

export function inputError(ref: string, field: string, message: string, source: string): PalisadeError {
  return new PalisadeError('InvalidInput', `${ref} (${source}): ${field}: ${message}`, {
    hint: 'Fix the object; the API server would reject it or it would not mean what it seems to.',
  });
}

/** Resolves a named port on the destination workload; nothing when it does not declare it. */
export function namedPort(target: Workload | undefined, name: string, protocol?: Protocol): ConnSet {
  if (target === undefined) return ConnSet.none();
  return target.ports
    .filter((p) => p.name === name && (protocol === undefined || p.protocol === protocol))
    .reduce((acc, p) => acc.union(ConnSet.port(p.protocol, p.port)), ConnSet.none());
}

/** A `port` that may be a number, a numeric string, or a name. */
export function portValue(v: unknown): { readonly number?: number; readonly name?: string } {
  if (typeof v === 'number') return { number: v };
  if (typeof v === 'string' && /^\d+$/.test(v)) return { number: Number(v) };
  if (typeof v === 'string' && v !== '') return { name: v };
  return {};
}

/** Connections of one Kubernetes-style port entry `{protocol, port, endPort}`. */
export function portEntry(entry: unknown, field: string, fail: (field: string, msg: string) => never): (target: Workload | undefined) => ConnSet {
  const protocol = parseProtocol(get(entry, 'protocol'));
  if (protocol === undefined) fail(`${field}.protocol`, `unsupported protocol ${String(get(entry, 'protocol'))} (TCP, UDP or SCTP)`);
  const port = portValue(get(entry, 'port'));
  const endPort = get(entry, 'endPort');
  if (port.name !== undefined) return (target) => namedPort(target, port.name!, protocol);
  if (port.number === undefined) return () => ConnSet.of(protocol);
  const end = typeof endPort === 'number' ? endPort : undefined;
  const set = ConnSet.port(protocol, port.number, end);
  return () => set;
}

export function unionOf(entries: Array<(t: Workload | undefined) => ConnSet>): (t: Workload | undefined) => ConnSet {
  if (entries.length === 0) return () => ConnSet.all();
  return (target) => entries.reduce((acc, f) => acc.union(f(target)), ConnSet.none());
}

/**
 * Matches external peers against an IPv4 set. A DNS peer's addresses are unknown public ones: it
 * matches a set that holds every public address (`0.0.0.0/0`, or `0.0.0.0/0` except private ranges:
 * "allowing to world is identical to allowing to CIDR 0.0.0.0/0", and a toFQDNs IP is a world identity).
 * Cluster entities never match: node IPs and the API server carry reserved identities, which CIDR
 * rules do not select (Cilium language.rst), and only Cilium inputs have entity peers.
 */
export function ipMatches(set: IntervalList, peer: Peer): boolean {
  if (peer.type === 'ip') return contains(set, peer.range[0]);
  if (peer.type === 'dns') return equals(intersect(set, PUBLIC_IPV4), PUBLIC_IPV4);
  return false;
}

/**
 * The IPv4 set of a CIDR block less its exceptions; undefined for IPv6, with a warning unless the
 * rule denies (a deny of IPv6 addresses changes nothing in the IPv4 space analysed; an allow would
 * be reach the analysis does not show).
 */
export function ipSetOf(block: { readonly cidr: unknown; readonly except?: unknown }, field: string, rc: RuleContext): IntervalList | undefined {
  const { cidr } = block;
  if (typeof cidr !== 'string') return rc.fail(`${field}.cidr`, 'missing CIDR');
  const set = ipBlockSet(cidr, list(block.except).map(String));
  if (set === undefined) {
    if (!cidr.includes(':')) rc.fail(field, `invalid CIDR ${cidr}`);
    if (rc.action !== 'Deny') rc.ctx.warn(`${rc.ref}: ${field}: IPv6 block ${cidr} is not analysed (IPv4 only)`);
  }
  return set;
}

const isEmpty = (set: IntervalList): boolean => set.length === 0;

/**
 * Whether an address criterion (`set`: Calico `nets` less `notNets`, or an `ipBlock` on Calico)
 * holds for pods, whose addresses are known only as a range (`ctx.podAddresses`). An Allow matches
 * when the set meets the range (some pod may be there: reach is shown, not hidden); a Deny or Pass
 * only when it covers the whole range (every pod is there). Short of exact, it is noted.
 */
export function podAddressMatch(set: IntervalList, field: string, rc: RuleContext): boolean {
  const pods = rc.ctx.podAddresses;
  if (isEmpty(pods)) return false;
  const inside = intersect(set, pods);
  if (isEmpty(inside)) return false;
  if (isEmpty(subtract(pods, set))) return true;
  const allows = rc.action === 'Allow';
  rc.ctx.approximate(`${rc.ref}: ${field}: covers part of the pod addresses; pod IPs are not known, so it is analysed as matching ${allows ? 'every pod (an Allow)' : 'no pod (a Deny or Pass)'}; set podCidrs in the cluster.yaml to narrow this`);
  return allows;
}
