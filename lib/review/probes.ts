import type { Analysis, Peer } from '../analysis/index.js';
import type { Probe } from './config.js';
import type { ProbeVerdict } from './types.js';

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Whether a probe endpoint (`ns/name`, `zone:z`, `world`, a DNS name) denotes `peer`. */
export function probeMatches(spec: string, peer: Peer): boolean {
  if (spec === 'world') return peer.type === 'ip' || peer.type === 'dns';
  if (spec.startsWith('zone:')) return peer.type === 'workload' && peer.nsLabels['palisade.dev/zone'] === spec.slice(5);
  if (spec.includes('/')) return peer.type === 'workload' && globToRegExp(spec).test(`${peer.namespace}/${peer.name}`);
  return peer.type === 'dns' && (peer.name === spec || globToRegExp(peer.name).test(spec));
}

/** `allow` when any matching source reaches any matching destination (on `port`, if given). */
export function probeVerdict(probe: Probe, analysis: Analysis): 'allow' | 'deny' {
  const [proto, portText] = (probe.port ?? '').split(' ');
  const hit = analysis.connections.some((c) => {
    if (!probeMatches(probe.from, c.src) || !probeMatches(probe.to, c.dst)) return false;
    if (probe.port === undefined) return true;
    return c.conns.ports(proto as 'TCP').some(([lo, hi]) => lo <= Number(portText) && Number(portText) <= hi);
  });
  return hit ? 'allow' : 'deny';
}

export function probesFor(cluster: string, probes: readonly Probe[]): Probe[] {
  return probes.filter((p) => p.clusters === undefined || p.clusters.includes(cluster));
}

/** Verdicts of every probe for one cluster, before (when known) and after. */
export function evaluateProbes(cluster: string, probes: readonly Probe[], after: Analysis, before?: Analysis): ProbeVerdict[] {
  return probesFor(cluster, probes).map((p) => {
    const now = probeVerdict(p, after);
    return { cluster, probe: p.name, expect: p.expect, ...(before === undefined ? {} : { before: probeVerdict(p, before) }), after: now, ok: now === p.expect };
  });
}
