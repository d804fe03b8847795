import { hostPattern, isWildcardHost } from '../core/hosts.js';
import { destOf, sourceOf } from './edges.js';
import type { Edge, EdgeChange, Finding } from './types.js';

const DNS = /^(.*?)\[DNS\](?: via .*)?$/;
const IP = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\[External\]$/;

function dnsName(id: string): string | undefined {
  return DNS.exec(id)?.[1];
}

/**
 * Whether wildcard `pattern` stands for every name `name` stands for (a name, or a narrower
 * pattern), `name` being something else: `*.x` covers `a.x`; `**.x` covers `a.b.x`, `*.x`,
 * `*.a.x` and `**.a.x`. A bare base (`x`, which no wildcard matches) counts as covered: a name
 * turned into a wildcard over it is a widening for review.
 */
function covers(pattern: string, name: string): boolean {
  const p = hostPattern(pattern);
  const n = hostPattern(name);
  if (p.wildcard === 'none' || name === pattern) return false;
  if (n.wildcard === 'none' && n.base === p.base) return true;
  const under = n.base.endsWith(`.${p.base}`);
  if (p.wildcard === 'labels') return under || (n.wildcard !== 'none' && n.base === p.base);
  return n.wildcard === 'none' && under && !n.base.slice(0, -p.base.length - 1).includes('.');
}

/** The address range `[first, last]` an external destination stands for, if it is one. */
function ipRange(id: string): readonly [number, number] | undefined {
  const m = IP.exec(id);
  if (m === null) return undefined;
  const n = (s: string): number => s.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  return [n(m[1]!), n(m[2]!)];
}

function ipSize(id: string): number {
  const r = ipRange(id);
  return r === undefined ? 0 : r[1] - r[0] + 1;
}

/** How many addresses `ranges` cover together (overlaps counted once). */
function covered(ranges: ReadonlyArray<readonly [number, number]>): number {
  let total = 0;
  let end = -1;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end + 1) + 1;
    end = b;
  }
  return total;
}

/** A /8's worth of addresses: reach to this many more, in one range or many, is reach to the world. */
const WORLD = 2 ** 24;

/**
 * New external address space per source, however it is split: a /8 in /9s (or in 256 /16s) is as
 * wide as the /8. Sources with one range of WORLD or more are reported per range (see below).
 */
function splitWorldFindings(cluster: string, delta: readonly EdgeChange[], before: ReadonlyMap<string, Edge>): Finding[] {
  const rangesOf = (edges: Iterable<Edge>, src: string): Array<readonly [number, number]> => [...edges].filter((e) => e.src === src).flatMap((e) => { const r = ipRange(e.dst); return r ? [r] : []; });
  const sources = [...new Set(delta.filter((c) => c.change !== 'removed').map(sourceOf))].sort();
  return sources.flatMap((src) => {
    const added = delta.flatMap((c) => (c.change !== 'removed' && sourceOf(c) === src ? [c.after] : []));
    if (added.some((e) => ipSize(e.dst) >= WORLD)) return [];
    const old = rangesOf(before.values(), src);
    const more = covered([...old, ...rangesOf(added, src)]) - covered(old);
    if (more < WORLD) return [];
    return [{ cluster, kind: 'world-reach' as const, risk: 'high' as const, subject: src, message: `${src} can now reach ${more} more external addresses, split over ${added.filter((e) => ipRange(e.dst)).length} ranges (as wide as a /${32 - Math.floor(Math.log2(more))} or wider)` }];
  });
}

/** A wildcard destination: a widening of names the source reached before, or a new wildcard no earlier one covers. */
function wildcardFinding(at: { readonly cluster: string; readonly src: string }, name: string, before: ReadonlyMap<string, Edge>, hadWildcard: ReadonlySet<string>): Finding | undefined {
  const { cluster, src } = at;
  const narrowed = [...before.values()].filter((e) => e.src === src && covers(name, dnsName(e.dst) ?? '')).map((e) => dnsName(e.dst));
  if (narrowed.length > 0) return { cluster, kind: 'wildcard-widening', risk: 'high', subject: src, message: `${src}: ${narrowed.join(', ')} widened to ${name}` };
  if (hadWildcard.has(name) || [...hadWildcard].some((w) => covers(w, name))) return undefined;
  return { cluster, kind: 'new-wildcard', risk: 'medium', subject: src, message: `${src}: new wildcard destination ${name}` };
}

/** Widening flags over the edge delta: wildcards, names widened to wildcards, reach to the world. */
export function reachFindings(cluster: string, delta: readonly EdgeChange[], before: ReadonlyMap<string, Edge>): Finding[] {
  const out: Finding[] = [];
  const beforeDst = new Set([...before.values()].map((e) => `${e.src} => ${e.dst}`));
  const hadWildcard = new Set([...before.values()].flatMap((e) => { const n = dnsName(e.dst); return n !== undefined && isWildcardHost(n) ? [n] : []; }));
  for (const c of delta) {
    if (c.change === 'removed') continue;
    const src = sourceOf(c);
    const dst = destOf(c);
    const name = dnsName(dst);
    const wildcard = name !== undefined && isWildcardHost(name) ? wildcardFinding({ cluster, src }, name, before, hadWildcard) : undefined;
    if (wildcard) out.push(wildcard);
    const size = ipSize(dst);
    if (size >= WORLD && !beforeDst.has(`${src} => ${dst}`)) {
      out.push({ cluster, kind: 'world-reach', risk: 'high', subject: src, message: `${src} can now reach ${dst.replace('[External]', '')}${size === 2 ** 32 ? ' (0.0.0.0/0)' : ''} : ${c.after.conns}` });
    }
  }
  return [...out, ...splitWorldFindings(cluster, delta, before)];
}
