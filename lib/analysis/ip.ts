import { NON_PUBLIC_CIDRS } from '../core/networks.js';
import { normalize, subtract, type Interval, type IntervalList } from './intervals.js';

/** IPv4 addresses as integers; IPv6 blocks are reported and left out (as netpol-analyzer's txt output does). */
export const IPV4_ALL: IntervalList = [[0, 2 ** 32 - 1]];

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export type CidrParse = { readonly kind: 'v4'; readonly range: Interval } | { readonly kind: 'v6' } | { readonly kind: 'invalid' };

export function parseCidr(text: string): CidrParse {
  if (text.includes(':')) return { kind: 'v6' };
  const [addr, bitsText] = text.split('/');
  const base = parseIPv4(addr ?? '');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return { kind: 'invalid' };
  const size = 2 ** (32 - bits);
  const lo = Math.floor(base / size) * size;
  return { kind: 'v4', range: [lo, lo + size - 1] };
}

/** The IPv4 set of `cidr` minus `except` (an ipBlock); undefined for IPv6 or invalid CIDRs. */
export function ipBlockSet(cidr: string, except: readonly string[] = []): IntervalList | undefined {
  const base = parseCidr(cidr);
  if (base.kind !== 'v4') return undefined;
  const holes = except.map(parseCidr).flatMap((c) => (c.kind === 'v4' ? [c.range] : []));
  return subtract([base.range], normalize(holes));
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function formatRange([lo, hi]: Interval): string {
  return `${formatIPv4(lo)}-${formatIPv4(hi)}`;
}

/**
 * Splits the IPv4 space into the elementary ranges between every boundary of the given sets, so
 * that each range is either wholly inside or wholly outside each set.
 */
export function ipAtoms(sets: readonly IntervalList[]): Interval[] {
  const cuts = new Set<number>([0, 2 ** 32]);
  for (const set of sets) {
    for (const [lo, hi] of set) {
      cuts.add(lo);
      cuts.add(hi + 1);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.slice(0, -1).map((lo, i) => [lo, sorted[i + 1]! - 1] as Interval);
}

/** Every IPv4 address that can be on the public internet (where names resolve to, as far as a policy can know). */
export const PUBLIC_IPV4: IntervalList = subtract(IPV4_ALL, normalize(NON_PUBLIC_CIDRS.flatMap((c) => { const p = parseCidr(c); return p.kind === 'v4' ? [p.range] : []; })));
