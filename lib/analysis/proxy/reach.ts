import { ANNOTATIONS } from '../../core/labels.js';
import type { Analysis } from '../analyze.js';
import { ConnSet } from '../connections.js';
import type { SourcedObject } from '../inputs.js';
import { intersect } from '../intervals.js';
import { PUBLIC_IPV4 } from '../ip.js';
import { get } from '../policies/common.js';
import type { Workload } from '../topology.js';
import { parseSquidConfig, sampleName, squidAllows, type SquidConfig } from './squid.js';

/**
 * What agents reach through egress proxies: a workload reaches host H on port p via proxy P when
 * the network lets it reach one of P's listener ports, P's configuration lets that listener forward
 * to H:p, and the network lets P out to H:p (by DNS name, or to every public address). Composed
 * from the network analysis and the proxy's own configuration (Squid's access rules). Pure.
 */

export interface ProxiedConnection {
  readonly src: Workload;
  readonly proxy: Workload;
  readonly listener: number;
  /** Host pattern, in palisade's notation. */
  readonly host: string;
  readonly conns: ConnSet;
}

export interface ProxyConfig { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly conf: SquidConfig; readonly source: string }

/** Proxy configurations in the input: ConfigMaps with a `squid.conf` and the proxy pods they configure. */
export function proxyConfigs(objects: readonly SourcedObject[]): ProxyConfig[] {
  return objects.flatMap(({ object, source }) => {
    const pods = get(object, 'metadata', 'annotations', ANNOTATIONS.proxyPods);
    const text = get(object, 'data', 'squid.conf');
    if (object['kind'] !== 'ConfigMap' || typeof pods !== 'string' || typeof text !== 'string') return [];
    const namespace = get(object, 'metadata', 'namespace');
    return [{ namespace: typeof namespace === 'string' ? namespace : 'default', podLabels: JSON.parse(pods) as Record<string, string>, conf: parseSquidConfig(text), source }];
  });
}


/** Ports the proxy may use to every public address (addresses behind a name are unknown), or to the name itself. */
function upstreamOf(a: Omit<Analysis, 'proxied'>, proxy: Workload, host: string): ConnSet {
  const publicAtoms = a.peers.filter((p) => p.type === 'ip' && p.side !== 'ingress' && intersect([p.range], PUBLIC_IPV4).length > 0);
  const toPublic = publicAtoms.length === 0 ? ConnSet.none() : publicAtoms.reduce((acc, atom) => acc.intersect(a.connections.find((c) => c.src === proxy && c.dst === atom)?.conns ?? ConnSet.none()), ConnSet.all());
  const byName = a.connections.filter((c) => c.src === proxy && c.dst.type === 'dns' && c.dst.name === host).reduce((acc, c) => acc.union(c.conns), ConnSet.none());
  return toPublic.union(byName);
}

function viaListener(a: Omit<Analysis, 'proxied'>, cfg: ProxyConfig, ends: { readonly src: Workload; readonly proxy: Workload }, listener: { port: number; name: string }): ProxiedConnection[] {
  const { src, proxy } = ends;
  return cfg.conf.hosts.flatMap((host) => {
    const upstream = upstreamOf(a, proxy, host);
    const allowed = cfg.conf.ports.filter((port) => squidAllows(cfg.conf, { listener: listener.name, host: sampleName(host), port }));
    const conns = allowed.reduce((acc, port) => acc.union(ConnSet.port('TCP', port)), ConnSet.none()).intersect(upstream);
    return conns.isEmpty() ? [] : [{ src, proxy, listener: listener.port, host, conns }];
  });
}

const selects = (labels: Readonly<Record<string, string>>, w: Workload): boolean => Object.entries(labels).every(([k, v]) => w.labels[k] === v);

/** Through one proxy workload: every workload that reaches one of its listeners. */
function throughProxy(a: Omit<Analysis, 'proxied'>, cfg: ProxyConfig, proxy: Workload): ProxiedConnection[] {
  return a.connections.filter((x) => x.dst === proxy && x.src.type === 'workload').flatMap((c) =>
    cfg.conf.listeners.filter((l) => !c.conns.intersect(ConnSet.port('TCP', l.port)).isEmpty()).flatMap((l) => viaListener(a, cfg, { src: c.src as Workload, proxy }, l)));
}

export function proxiedConnections(a: Omit<Analysis, 'proxied'>, configs: readonly ProxyConfig[]): ProxiedConnection[] {
  return configs.flatMap((cfg) => a.workloads.filter((w) => w.namespace === cfg.namespace && selects(cfg.podLabels, w)).flatMap((proxy) => throughProxy(a, cfg, proxy)));
}

