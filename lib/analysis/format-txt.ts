import type { Analysis, Connection } from './analyze.js';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortConnections(conns: readonly Connection[]): Connection[] {
  return [...conns].sort((a, b) => compare(a.src.id, b.src.id) || compare(a.dst.id, b.dst.id));
}

function httpSuffix(c: Connection): string {
  if (c.http === undefined) return '';
  return ` [HTTP ${c.http.map((h) => `${h.method ?? '*'} ${h.path ?? '/*'}`).join(', ')}]`;
}

/** netpol-analyzer's connlist line format: `src => dst : conns`, sorted by source then destination. */
export function formatConnlist(analysis: Analysis): string {
  return sortConnections(analysis.connections).map((c) => `${c.src.id} => ${c.dst.id} : ${c.conns.toString()}${httpSuffix(c)}\n`).join('');
}
