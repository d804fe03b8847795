/**
 * Quarantine by meaning (E1 and E5 of the dataplane review): a quarantined agent pod sends nothing
 * but DNS queries to the cluster DNS and receives nothing from any pod or address, even when
 * foreign policies in its namespace allow everything; its own node's kubelet may still probe it.
 * On Cilium the quarantine is a cluster-wide deny (deny beats every allow); on Calico a Deny in
 * tier palisade, final for every tier after it (default, where these foreign policies live).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis/analyze.js';
import { synthesizedInput, type Connection } from '../analysis/index.js';
import type { KubeObject } from '../core/resource-id.js';
import { synthesize } from '../synth/synthesize.js';
import { testCluster } from '../testing/index.js';
import { smallOrg } from '../../test/fixtures/small-org.js';
import { quarantined } from '../../test/policies/invariants.js';
import type { NetworkBackend } from '../cluster/cluster-spec.js';

const knpAllowAll: KubeObject = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'helm-chart-open', namespace: 'agents' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
};

const FOREIGN: Readonly<Record<'cilium' | 'calico', readonly KubeObject[]>> = {
  cilium: [knpAllowAll, {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'open', namespace: 'agents' },
    spec: { endpointSelector: {}, egress: [{ toEntities: ['all'] }, { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'tools' } }] }], ingress: [{ fromEntities: ['all'] }] },
  }, {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'tools-open', namespace: 'tools' },
    spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }] },
  }],
  calico: [knpAllowAll, {
    apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'default.open', namespace: 'agents' },
    spec: { tier: 'default', selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] },
  }],
};

function reachOfSuspect(network: 'cilium' | 'calico', foreign: readonly KubeObject[]): { out: Connection[]; in: Connection[] } {
  const cluster = testCluster({ network });
  const r = synthesize(smallOrg({ external: network === 'cilium' ? 'name' : 'none' }), cluster);
  const agent = r.model.agents[0]!;
  const extra = [quarantined('agents', agent.podLabels, agent.serviceAccount), ...foreign];
  const a = analyze(synthesizedInput(cluster.name, [...r.objects, ...extra], r.model));
  const suspect = 'agents/suspect[Deployment]';
  return { out: a.connections.filter((c) => c.src.id === suspect), in: a.connections.filter((c) => c.dst.id === suspect) };
}

const line = (c: Connection): string => `${c.src.id} => ${c.dst.id} : ${c.conns.toString()}`;

describe.each(['cilium', 'calico'] as const satisfies readonly NetworkBackend[])('quarantine on %s', (network) => {
  it('the quarantined pod reaches only the cluster DNS, port 53, with every foreign allow in force', () => {
    const { out } = reachOfSuspect(network, FOREIGN[network]);
    expect(out.map(line)).toEqual([expect.stringMatching(/^agents\/suspect\[Deployment\] => kube-system\/kube-dns\[Deployment\] : (SCTP 53,)?TCP 53,UDP 53$/)]);
  });

  it('nothing but the node (kubelet probes) reaches the quarantined pod', () => {
    const { in: into } = reachOfSuspect(network, FOREIGN[network]);
    expect(into.filter((c) => c.src.id !== '{host}').map(line)).toEqual([]);
  });

  it('the same foreign allows do open an unquarantined pod (the test can fail)', () => {
    const cluster = testCluster({ network });
    const r = synthesize(smallOrg({ external: network === 'cilium' ? 'name' : 'none' }), cluster);
    const a = analyze(synthesizedInput(cluster.name, [...r.objects, ...FOREIGN[network]], r.model));
    expect(a.connections.filter((c) => c.src.id.startsWith('agents/') && c.dst.id.startsWith('tools/')).length).toBeGreaterThan(0);
  });
});

describe('quarantine on Cilium keeps the kubelet', () => {
  it('a probe allowed from the host still reaches a quarantined pod (E5: a probe failure would restart it and lose its state)', () => {
    const probes: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'probes', namespace: 'agents' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['host'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] } };
    const { in: into } = reachOfSuspect('cilium', [probes]);
    expect(into.map(line)).toEqual(['{host} => agents/suspect[Deployment] : TCP 8080']);
  });
});
