import { analyze, formatHttp, synthesizedInput, type Analysis, type Connection } from '../analysis/index.js';
import type { SynthResult } from '../synth/synthesize.js';
import type { Edge, EdgeChange, SideCluster } from './types.js';

/** The review form of one synthesized cluster. */
export function sideClusterOf(r: SynthResult): SideCluster {
  return { name: r.cluster.name, network: r.cluster.network, ...(r.cluster.podCidrs === undefined ? {} : { podCidrs: r.cluster.podCidrs }), model: r.model, objects: r.objects };
}

/** Connectivity of one synthesized cluster, with representative workloads for its agents and endpoints. */
export function analyzeCluster(c: SideCluster): Analysis {
  return analyze(synthesizedInput(c.name, c.objects, c.model), c.podCidrs === undefined ? {} : { podCidrs: c.podCidrs });
}

function edgeOf(c: Connection): Edge {
  const http = c.http === undefined ? undefined : formatHttp(c.http);
  return { src: c.src.id, dst: c.dst.id, conns: c.conns.toString(), ...(http === undefined ? {} : { http }) };
}

/** The representative cluster DNS is not governed by palisade: only edges into it are kept. */
const DNS_REPRESENTATIVE = 'kube-system/kube-dns[Deployment]';

/** Edges keyed `src => dst`; external IP ranges stay as analysed (per policy boundary). */
export function edgesOf(a: Analysis): Map<string, Edge> {
  const out = new Map<string, Edge>();
  for (const c of a.connections) {
    if (c.src.id === DNS_REPRESENTATIVE) continue;
    if (c.dst.id === DNS_REPRESENTATIVE && c.src.type !== 'workload') continue;
    const e = edgeOf(c);
    out.set(`${e.src} => ${e.dst}`, e);
  }
  // Through an egress proxy: the host a listener forwards to is the destination (its list is the control).
  for (const p of a.proxied) {
    const e: Edge = { src: p.src.id, dst: `${p.host}[DNS] via ${p.proxy.id}`, conns: p.conns.toString() };
    out.set(`${e.src} => ${e.dst}`, e);
  }
  return out;
}

const same = (a: Edge, b: Edge): boolean => a.conns === b.conns && a.http === b.http;

/** Added, removed and changed edges, sorted by source then destination. */
export function edgeDelta(before: ReadonlyMap<string, Edge>, after: ReadonlyMap<string, Edge>): EdgeChange[] {
  const out: EdgeChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(key);
    const a = after.get(key);
    if (b === undefined && a !== undefined) out.push({ change: 'added', after: a });
    else if (a === undefined && b !== undefined) out.push({ change: 'removed', before: b });
    else if (a !== undefined && b !== undefined && !same(a, b)) out.push({ change: 'changed', before: b, after: a });
  }
  return out;
}

export function sourceOf(c: EdgeChange): string {
  return c.change === 'removed' ? c.before.src : c.after.src;
}

export function destOf(c: EdgeChange): string {
  return c.change === 'removed' ? c.before.dst : c.after.dst;
}
