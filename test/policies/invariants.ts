import { expect } from 'vitest';
import { analyze, synthesizedInput, type Connection } from '../../lib/analysis/index.js';
import { assertNever } from '../../lib/core/assert.js';
import { equals, intersect } from '../../lib/analysis/intervals.js';
import { PUBLIC_IPV4 } from '../../lib/analysis/ip.js';
import { LABELS, type KubeObject, type SynthResult } from '../../lib/index.js';

const find = (objects: readonly KubeObject[], kind: string, name: string, ns?: string): KubeObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

/** Every namespace that runs an agent is default-deny in both directions on the cluster's dataplane. */
export function assertDefaultDeny(result: SynthResult): void {
  const { objects, model, cluster } = result;
  for (const ns of new Set(model.agents.map((a) => a.namespace))) {
    const namespace = find(objects, 'Namespace', ns);
    expect(namespace?.metadata.labels?.[LABELS.agentNamespace], `Namespace/${ns}`).toBe('true');
    switch (cluster.network) {
      case 'kubernetes':
        expect(find(objects, 'NetworkPolicy', 'palisade-default-deny', ns)?.['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        break;
      case 'cilium':
        expect(find(objects, 'CiliumNetworkPolicy', 'palisade-default-deny', ns)?.['spec']).toEqual({ endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{ fromEntities: ['none'] }], egress: [{ toEntities: ['none'] }] });
        break;
      case 'calico': {
        expect(namespace?.metadata.labels?.[LABELS.zone]).toBeTruthy();
        expect(find(objects, 'Tier', 'palisade')?.['spec']).toMatchObject({ defaultAction: 'Deny' });
        expect(find(objects, 'GlobalNetworkPolicy', 'palisade.default-deny')?.['spec']).toMatchObject({ namespaceSelector: `has(${LABELS.zone})`, selector: 'all()', types: ['Ingress', 'Egress'] });
        break;
      }
      default: assertNever(cluster.network);
    }
  }
}

/** A Deployment with these pod labels (and ServiceAccount), serving TCP 8080. */
const workload = (namespace: string, name: string, labels: Record<string, string>, serviceAccountName?: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 8080 }] }] } } },
});

/** An agent's pod as it runs after `kubectl label pod … palisade.dev/quarantine=true`: its labels, its ServiceAccount, the quarantine label. */
export function quarantined(namespace: string, labels: Readonly<Record<string, string>>, serviceAccountName: string): KubeObject {
  return workload(namespace, 'suspect', { ...labels, [LABELS.quarantine]: 'true' }, serviceAccountName);
}

/** A pod in `namespace` that wears none of the labels any policy names. */
export function intruder(namespace: string): KubeObject {
  return workload(namespace, 'intruder', { app: 'intruder' });
}

/** Every connection the analysis engine finds in the synthesized cluster, with `extra` workloads added. */
export function reachOf(result: SynthResult, extra: readonly KubeObject[] = []): readonly Connection[] {
  const input = synthesizedInput(result.cluster.name, [...result.objects, ...extra], result.model);
  return analyze(input).connections;
}

const line = (c: Connection): string => `${c.src.id} => ${c.dst.id} : ${c.conns.toString()}`;

/**
 * By meaning (the analysis engine, not the objects' text): an unlabelled pod in every agent
 * namespace receives nothing and sends nothing but DNS queries to the cluster DNS. Returns the
 * connections that break this.
 */
export function defaultDenyViolations(result: SynthResult): string[] {
  const namespaces = [...new Set(result.model.agents.map((a) => a.namespace))];
  const ids = new Set(namespaces.map((ns) => `${ns}/intruder[Deployment]`));
  const dnsOnly = (c: Connection): boolean => c.dst.id === 'kube-system/kube-dns[Deployment]' && /^(SCTP 53,)?TCP 53,UDP 53$/.test(c.conns.toString());
  return reachOf(result, namespaces.map(intruder))
    .filter((c) => ids.has(c.dst.id) || (ids.has(c.src.id) && !dnsOnly(c)))
    .map(line);
}

/**
 * No workload outside kube-system reaches any IP address outside the cluster (whatever the CIDR
 * spelling: 0.0.0.0/0, two /1 halves, Cilium's world entity) except an egress proxy, which reaches
 * public addresses only, and the DNS names an agent reaches, directly or through a proxy's
 * configuration, are exactly the hosts of its declared external edges (no `*` pattern, nothing borrowed).
 * Returns what breaks this.
 */
export function externalReachViolations(result: SynthResult): string[] {
  const analysis = analyze(synthesizedInput(result.cluster.name, result.objects, result.model));
  const proxies = new Set(result.model.egressProxies.map((p) => `${p.namespace}/${p.name}[Deployment]`));
  const conns = analysis.connections.filter((c) => c.src.type === 'workload' && c.src.namespace !== 'kube-system');
  // Only an egress proxy reaches addresses, and only public ones (never pods, nodes or metadata by IP).
  const out = conns.filter((c) => c.dst.type === 'ip' && !(proxies.has(c.src.id) && isPublic(c.dst.range))).map(line);
  const hostOf = new Map(result.model.externals.map((e) => [e.name, e.host]));
  for (const a of result.model.agents.filter((x) => !result.model.egressProxies.some((p) => p.name === x.name))) {
    const viaProxy = result.model.egressProxies.flatMap((p) => p.listeners.filter((l) => l.agent === a.name).flatMap((l) => l.destinations.map((d) => d.host)));
    const declared = new Set([...result.model.edges.filter((e) => e.from === a.name && e.to.kind === 'external').map((e) => hostOf.get(e.to.name)), ...viaProxy]);
    const id = `${a.namespace}/${a.name}[Deployment]`;
    for (const c of conns) if (c.src.id === id && c.dst.type === 'dns' && !declared.has(c.dst.name)) out.push(`${line(c)} (undeclared name)`);
    const proxied = analysis.proxied.filter((p) => p.src.id === id);
    for (const p of proxied) if (!declared.has(p.host)) out.push(`${id} => ${p.host} via ${p.proxy.id}:${p.listener} : ${p.conns.toString()} (undeclared name)`);
    const reached = new Set([...conns.flatMap((c) => (c.src.id === id && c.dst.type === 'dns' ? [c.dst.name] : [])), ...proxied.map((p) => p.host)]);
    for (const h of declared) if (h !== undefined && !reached.has(h)) out.push(`${id} does not reach declared ${h}`);
  }
  return out;
}

const isPublic = (range: readonly [number, number]): boolean => equals(intersect([[range[0], range[1]]], PUBLIC_IPV4), [[range[0], range[1]]]);

/**
 * Impostors of every agent: one wears its labels under the namespace's default ServiceAccount,
 * one runs as its ServiceAccount without its labels. `labels: false` leaves out the first (on a
 * dataplane that selects by labels only, admission is what keeps it from existing).
 */
export function impostors(result: SynthResult, opts: { readonly labels: boolean }): KubeObject[] {
  return result.model.agents.flatMap((a) => [
    ...(opts.labels ? [workload(a.namespace, `${a.name}-borrowed-labels`, { ...a.podLabels })] : []),
    workload(a.namespace, `${a.name}-borrowed-sa`, { app: `${a.name}-impostor` }, a.serviceAccount),
  ]);
}

/**
 * By meaning: between workloads, the allowed connections are a subset of the declared edges (plus
 * DNS to the cluster DNS), and no impostor of an agent's identity sends or receives anything but
 * DNS queries. Returns what breaks this.
 */
export function identityViolations(result: SynthResult, extra: readonly KubeObject[]): string[] {
  const { model } = result;
  const idOf = (ns: string, name: string): string => `${ns}/${name}[Deployment]`;
  const targetId = (kind: string, name: string): string | undefined => {
    const w = kind === 'agent' ? model.agents.find((a) => a.name === name) : kind === 'endpoint' ? model.endpoints.find((e) => e.name === name) : undefined;
    return w && idOf(w.namespace, w.name);
  };
  const declared = new Set(model.edges.map((e) => `${idOf(model.agents.find((a) => a.name === e.from)?.namespace ?? '?', e.from)} => ${targetId(e.to.kind, e.to.name)}`));
  const dns = 'kube-system/kube-dns[Deployment]';
  return reachOf(result, extra)
    .filter((c) => c.src.type === 'workload' && c.dst.type === 'workload' && c.dst.id !== dns && !declared.has(`${c.src.id} => ${c.dst.id}`))
    .map((c) => `${line(c)} (not a declared edge)`);
}
