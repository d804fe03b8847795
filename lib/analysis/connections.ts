import { equals, intersect, normalize, subtract, union, type IntervalList } from './intervals.js';

/** Transport protocols a policy can name, in netpol-analyzer's output order. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
const FULL: IntervalList = [[MIN_PORT, MAX_PORT]];

/** A set of (protocol, port) pairs. Immutable value; every operation returns a new set. */
export class ConnSet {
  private constructor(private readonly byProto: ReadonlyMap<Protocol, IntervalList>) {}

  static none(): ConnSet {
    return new ConnSet(new Map());
  }

  static all(): ConnSet {
    return new ConnSet(new Map(PROTOCOLS.map((p) => [p, FULL])));
  }

  /** `ports` undefined means every port of the protocol. */
  static of(protocol: Protocol, ports?: IntervalList): ConnSet {
    const list = ports === undefined ? FULL : normalize(ports.map(([lo, hi]) => [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)]));
    return new ConnSet(list.length === 0 ? new Map() : new Map([[protocol, list]]));
  }

  static port(protocol: Protocol, port: number, endPort?: number): ConnSet {
    return ConnSet.of(protocol, [[port, endPort ?? port]]);
  }

  private combine(other: ConnSet, op: (a: IntervalList, b: IntervalList) => IntervalList): ConnSet {
    const out = new Map<Protocol, IntervalList>();
    for (const p of PROTOCOLS) {
      const list = op(this.byProto.get(p) ?? [], other.byProto.get(p) ?? []);
      if (list.length > 0) out.set(p, list);
    }
    return new ConnSet(out);
  }

  union(other: ConnSet): ConnSet {
    return this.combine(other, union);
  }

  intersect(other: ConnSet): ConnSet {
    return this.combine(other, intersect);
  }

  subtract(other: ConnSet): ConnSet {
    return this.combine(other, subtract);
  }

  isEmpty(): boolean {
    return this.byProto.size === 0;
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => equals(this.byProto.get(p) ?? [], FULL));
  }

  equals(other: ConnSet): boolean {
    return PROTOCOLS.every((p) => equals(this.byProto.get(p) ?? [], other.byProto.get(p) ?? []));
  }

  ports(protocol: Protocol): IntervalList {
    return this.byProto.get(protocol) ?? [];
  }

  /** netpol-analyzer notation: `All Connections`, `No Connections`, or `TCP 80,443,UDP 53`. */
  toString(): string {
    if (this.isAll()) return 'All Connections';
    if (this.isEmpty()) return 'No Connections';
    return PROTOCOLS.filter((p) => this.byProto.has(p))
      .map((p) => `${p} ${this.ports(p).map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`)
      .join(',');
  }

  /** Structured form for JSON output. */
  toJSON(): Record<string, string[]> | 'all' {
    if (this.isAll()) return 'all';
    const out: Record<string, string[]> = {};
    for (const p of PROTOCOLS) {
      const list = this.byProto.get(p);
      if (list !== undefined) out[p] = list.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
    }
    return out;
  }
}

export function parseProtocol(value: unknown, fallback: Protocol = 'TCP'): Protocol | undefined {
  if (value === undefined || value === null) return fallback;
  const upper = (typeof value === 'string' ? value : '').toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(upper) ? (upper as Protocol) : undefined;
}
