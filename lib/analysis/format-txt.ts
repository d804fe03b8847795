import type { Analysis, Connection } from './analyze.js';
import type { ProxiedConnection } from './proxy/reach.js';
import type { HttpRule } from './ir.js';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortConnections(conns: readonly Connection[]): Connection[] {
  return [...conns].sort((a, b) => compare(a.src.id, b.src.id) || compare(a.dst.id, b.dst.id));
}

/** `POST /v1/chat, GET /v1/models` (a missing method or path reads as any). */
export function formatHttp(rules: readonly HttpRule[]): string {
  return rules.map((h) => `${h.method ?? '*'} ${h.path ?? '/*'}`).join(', ');
}

function httpSuffix(c: Connection): string {
  return c.http === undefined ? '' : ` [HTTP ${formatHttp(c.http)}]`;
}

/** netpol-analyzer's connlist line format: `src => dst : conns`, sorted by source then destination. */
export function formatConnlist(analysis: Analysis): string {
  return sortConnections(analysis.connections).map((c) => `${c.src.id} => ${c.dst.id} : ${c.conns.toString()}${httpSuffix(c)}\n`).join('');
}

/** A connection through an egress proxy: `src => host[DNS] : TCP 443 (via ns/proxy[Deployment]:3129)`. */
export function proxiedLine(p: ProxiedConnection): string {
  return `${p.src.id} => ${p.host}[DNS] : ${p.conns.toString()} (via ${p.proxy.id}:${p.listener})`;
}

/** Proxied connections, sorted like the connlist (after it in txt output). */
export function formatProxied(analysis: Analysis): string {
  return analysis.proxied.map(proxiedLine).sort().map((l) => `${l}\n`).join('');
}
