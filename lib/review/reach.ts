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

function ipSize(id: string): number {
  const m = IP.exec(id);
  if (m === null) return 0;
  const n = (s: string): number => s.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  return n(m[2]!) - n(m[1]!) + 1;
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
    if (size >= 2 ** 24 && !beforeDst.has(`${src} => ${dst}`)) {
      out.push({ cluster, kind: 'world-reach', risk: 'high', subject: src, message: `${src} can now reach ${dst.replace('[External]', '')}${size === 2 ** 32 ? ' (0.0.0.0/0)' : ''} : ${c.after.conns}` });
    }
  }
  return out;
}
