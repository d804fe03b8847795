/**
 * The template's own policies, synthesized for every cluster in clusters/: snapshots of the
 * output files and invariants that must hold whatever the policies say.
 */
import { describe, expect, it } from 'vitest';
import { LABELS, listClusters, loadCluster, renderFiles, synthesize, type KubeObject, type SynthResult } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { analyze, synthesizedInput } from '../../lib/analysis/index.js';
import { assertDefaultDeny, defaultDenyViolations, externalReachViolations, reachOf } from './invariants.js';

const clustersDir = `${REPO_ROOT}/clusters`;
const names = await listClusters(clustersDir);
const results = new Map<string, SynthResult>();
for (const name of names) results.set(name, synthesize(definePolicies, await loadCluster(clustersDir, name)));

describe('template policies', () => {
  it('has the three documented clusters', () => {
    expect(names).toEqual(['local', 'prod-calico', 'prod-cilium']);
  });

  it.each(names)('%s: output files match the snapshot', (name) => {
    const files = Object.fromEntries(renderFiles(results.get(name)!));
    expect(files).toMatchSnapshot();
  });

  it.each(names)('%s: every agent namespace is default-deny', (name) => {
    assertDefaultDeny(results.get(name)!);
    expect(defaultDenyViolations(results.get(name)!)).toEqual([]);
  });

  it.each(names)('%s: agents reach no IP outside the cluster and exactly their declared DNS names (analysis engine)', (name) => {
    expect(externalReachViolations(results.get(name)!)).toEqual([]);
  });

  it.each(['local', 'prod-calico'])('%s: each agent reaches its own web hosts through the egress proxy, and only those (network + proxy configuration)', (name) => {
    const r = results.get(name)!;
    const a = analyze(synthesizedInput(name, r.objects, r.model));
    const via = (agent: string): string[] => a.proxied.filter((p) => p.src.id === `agents/${agent}[Deployment]`).map((p) => `${p.host} ${p.conns.toString()} via ${p.proxy.id}:${p.listener}`).sort();
    expect(via('research-agent')).toEqual(['*.wikipedia.org', 'api.openai.com', 'export.arxiv.org'].map((h) => `${h} TCP 443 via egress/egress-proxy[Deployment]:3456`));
    expect(via('coding-agent')).toEqual(['*.githubusercontent.com', 'github.com', 'registry.npmjs.org'].map((h) => `${h} TCP 443 via egress/egress-proxy[Deployment]:3891`));
    expect(a.proxied.map((p) => p.src.id).filter((id) => !/^agents\/(research|coding)-agent\[/.test(id))).toEqual([]);
  });

  it.each(names)('%s: every object names the constructs and rule it implements', (name) => {
    for (const o of results.get(name)!.objects) {
      expect(o.metadata.annotations?.['palisade.dev/source'], `${o.kind}/${o.metadata.name}`).toMatch(/\S/);
      expect(o.metadata.annotations?.['palisade.dev/rule'], `${o.kind}/${o.metadata.name}`).toMatch(/\S/);
      expect(o.metadata.labels?.[LABELS.managedBy]).toBe('palisade');
    }
  });

  it.each(names)('%s: no cluster-scoped object stamped with a namespace', (name) => {
    const objects = results.get(name)!.objects;
    const clusterScoped = new Set(['Namespace', 'RuntimeClass', 'Tier', 'GlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'ClusterNetworkPolicy', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingPolicy', 'ImageValidatingPolicy']);
    const stamped = objects.filter((o: KubeObject) => clusterScoped.has(o.kind) && o.metadata.namespace !== undefined);
    expect(stamped).toEqual([]);
  });

  it('prod-calico: the zone guardrails (ClusterNetworkPolicy, Calico tier kube-admin) decide before tier palisade, so an Allow there cannot cross zones (analysis engine)', () => {
    const r = results.get('prod-calico')!;
    // A future mistake in tier palisade: allow everything, first.
    const allowAll: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'palisade.mistake' }, spec: { tier: 'palisade', order: 1, selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] } };
    const zone = (p: { type: string; nsLabels?: Record<string, string> }): string | undefined => (p.type === 'workload' ? p.nsLabels?.[LABELS.zone] : undefined);
    const crossing = reachOf(r, [allowAll]).filter((c) => zone(c.dst) === 'finetuning' && zone(c.src) === 'inference');
    expect(reachOf(r, [allowAll]).length).toBeGreaterThan(reachOf(r).length);
    expect(crossing.map((c) => `${c.src.id} => ${c.dst.id}`)).toEqual([]);
  });

  it('uses each backend it declares', () => {
    const kinds = (n: string): Set<string> => new Set(results.get(n)!.objects.map((o) => o.kind));
    expect(kinds('local')).toEqual(new Set(['Namespace', 'ServiceAccount', 'RuntimeClass', 'NetworkPolicy', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ResourceQuota', 'ConfigMap']));
    expect(kinds('prod-cilium')).toContain('CiliumNetworkPolicy');
    expect(kinds('prod-cilium')).toContain('TracingPolicyNamespaced');
    for (const k of ['Tier', 'GlobalNetworkPolicy', 'NetworkPolicy', 'ValidatingPolicy', 'ImageValidatingPolicy', 'ClusterNetworkPolicy']) expect(kinds('prod-calico')).toContain(k);
  });
});
