import { describe, expect, it } from 'vitest';
import { loadCluster, synthesize } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import { ciliumSelectorKeys, judge, type ClusterFacts } from './checks.js';

const cilium = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-cilium'));
const calico = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-calico'));
const healthy: ClusterFacts = { unservedKinds: [], ciliumConfig: {}, ciliumImage: 'quay.io/cilium/cilium:v1.19.4@sha256:abc', calicoTiers: new Map(), kyvernoReady: 1, tetragonReady: 3,
  kubernetesService: { clusterIPs: ['10.96.0.1'], endpoints: ['10.0.0.10'] } };
const failed = (facts: ClusterFacts, r = cilium): string[] => judge(r.cluster, r.objects, facts).filter((f) => !f.ok).map((f) => `${f.check}: ${f.message}`);

describe('palisade doctor checks', () => {
  it('collect the label keys the Cilium policies select on, quarantine and namespace labels included', () => {
    const keys = ciliumSelectorKeys(cilium.objects);
    expect(keys).toContain('palisade.dev/quarantine');
    expect(keys).toContain('io.kubernetes.pod.namespace');
    expect(keys).toContain('app');
  });
  it('hold on a healthy Cilium cluster', () => {
    expect(failed(healthy)).toEqual([]);
  });
  it('report a label filter that makes palisade\'s labels information-only, naming them', () => {
    const f = failed({ ...healthy, ciliumConfig: { labels: 'k8s:app k8s:io.kubernetes.pod.namespace' } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/^cilium-labels: .*palisade\.dev\/quarantine.*information-only/);
  });
  it('report a Cilium older than 1.16, an unserved kind and a missing Tetragon', () => {
    expect(failed({ ...healthy, ciliumImage: 'quay.io/cilium/cilium:v1.15.19', unservedKinds: ['cilium.io/v2/CiliumNetworkPolicy'], tetragonReady: 0 })).toEqual([
      'crds: cilium.io/v2/CiliumNetworkPolicy is not served (its CRD is not installed)',
      expect.stringMatching(/^cilium-version: Cilium 1\.15\.19 is older than 1\.16/),
      expect.stringMatching(/^tetragon: /),
    ]);
  });
  it('report ClusterNetworkPolicy on a Cilium that does not enforce it (A10: from 1.20, behind a flag)', () => {
    const withCnp = synthesize(definePolicies, { ...cilium.cluster, clusterNetworkPolicy: true });
    expect(withCnp.objects.some((o) => o.kind === 'ClusterNetworkPolicy')).toBe(true);
    expect(failed(healthy, withCnp)).toEqual([expect.stringMatching(/^cilium-version: Cilium 1\.19\.4 does not enforce ClusterNetworkPolicy .*palisade-deny-cloud-metadata/)]);
    expect(failed({ ...healthy, ciliumImage: 'quay.io/cilium/cilium:v1.20.0' }, withCnp)).toHaveLength(1);
    expect(failed({ ...healthy, ciliumImage: 'quay.io/cilium/cilium:v1.20.0', ciliumConfig: { clusterNetworkPolicy: 'true' } }, withCnp)).toEqual([]);
    // Without ClusterNetworkPolicy in the output, 1.19 holds.
    expect(failed(healthy)).toEqual([]);
  });
  it('report a Cilium older than 1.19 when the output has **. DNS patterns (it reads them as one label: E10)', () => {
    const deep = { ...cilium, objects: [...cilium.objects, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'reader-egress', namespace: 'agents' }, spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: '**.wikipedia.org' }] }] } }] };
    expect(failed({ ...healthy, ciliumImage: 'quay.io/cilium/cilium:v1.18.6' }, deep)).toEqual([expect.stringMatching(/^cilium-version: Cilium 1\.18\.6 reads a leading \*\*\. .*CiliumNetworkPolicy\/agents\/reader-egress/)]);
    expect(failed(healthy, deep)).toEqual([]);
    expect(failed({ ...healthy, ciliumImage: 'quay.io/cilium/cilium:v1.18.6' })).toEqual([]);
  });
  it('report a Cilium that enforces nothing (A19: enable-policy never, or audit mode), and hold on default and always', () => {
    expect(failed({ ...healthy, ciliumConfig: { enablePolicy: 'never' } })).toEqual([expect.stringMatching(/^cilium-enforcement: cilium-config enable-policy is "never": Cilium enforces no network policy/)]);
    expect(failed({ ...healthy, ciliumConfig: { policyAuditMode: 'true' } })).toEqual([expect.stringMatching(/^cilium-enforcement: cilium-config policy-audit-mode is "true".*quarantine included/)]);
    expect(failed({ ...healthy, ciliumConfig: { enablePolicy: 'sometimes' } })).toEqual([expect.stringMatching(/does not define/)]);
    expect(failed({ ...healthy, ciliumConfig: { enablePolicy: 'always', policyAuditMode: 'false' } })).toEqual([]);
  });
  it('report kubeApiServerCidrs naming the Service ClusterIP or missing an API server address (E11), not checked on Cilium', () => {
    expect(calico.cluster.kubeApiServerCidrs).toEqual(['10.0.0.10/32']);
    const on = (kubeApiServerCidrs: string[], facts: ClusterFacts = healthy): string[] => failed(facts, { ...calico, cluster: { ...calico.cluster, kubeApiServerCidrs } });
    expect(on(['10.96.0.1/32'])).toEqual([expect.stringMatching(/^kube-api-cidrs: kubeApiServerCidrs \(10\.96\.0\.1\/32\) names the Service address 10\.96\.0\.1 of default\/kubernetes/)]);
    expect(on(['10.0.0.10/32'], { ...healthy, kubernetesService: { clusterIPs: ['10.96.0.1'], endpoints: ['10.0.0.10', '10.0.0.11'] } })).toEqual([expect.stringMatching(/misses the API server address 10\.0\.0\.11/)]);
    expect(on(['10.0.0.0/24'], { ...healthy, kubernetesService: { clusterIPs: ['10.96.0.1'], endpoints: ['10.0.0.10', '10.0.0.11'] } })).toEqual([]);
    const { kubernetesService: _gone, ...without } = healthy;
    expect(on(['10.0.0.10/32'], without)).toEqual([expect.stringMatching(/^kube-api-cidrs: Service default\/kubernetes not found/)]);
    expect(failed(without)).toEqual([]);
  });
  it('judge the Calico tier order: palisade after kube-admin holds, before it fails', () => {
    expect(failed({ ...healthy, kyvernoReady: 1 }, calico)).toEqual([]);
    expect(failed({ ...healthy, calicoTiers: new Map([['palisade', 100], ['kube-admin', 1000]]) }, calico)).toEqual([expect.stringMatching(/^calico-tiers: tier palisade \(order 100\) runs before kube-admin/)]);
  });
});
