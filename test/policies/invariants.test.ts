/**
 * The meaning-based invariants catch what a substring check of the output misses: each tamper
 * below widens a template cluster, and the invariant must reject it.
 */
import { describe, expect, it } from 'vitest';
import { loadCluster, synthesize, type KubeObject, type SynthResult } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { defaultDenyViolations, externalReachViolations } from './invariants.js';

const synth = async (name: string): Promise<SynthResult> => synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, name));
const withObjects = (r: SynthResult, add: readonly KubeObject[], drop: (o: KubeObject) => boolean = () => false): SynthResult => ({ ...r, objects: [...r.objects.filter((o) => !drop(o)), ...add] });

const np = (egress: unknown[]): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'widen', namespace: 'agents' }, spec: { podSelector: { matchLabels: { app: 'coding-agent' } }, policyTypes: ['Egress'], egress } });
const cnp = (egress: unknown[]): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'widen', namespace: 'agents' }, spec: { endpointSelector: { matchLabels: { app: 'coding-agent' } }, egress } });

describe('externalReachViolations', () => {
  it('rejects the internet as two /1 halves on plain NetworkPolicy', async () => {
    const r = await synth('local');
    expect(externalReachViolations(r)).toEqual([]);
    const halves = externalReachViolations(withObjects(r, [np([{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1' } }] }])]));
    // Every address, in as many ranges as the policies' ipBlocks cut the space into.
    const ranges = halves.map((v) => /^agents\/coding-agent\[Deployment\] => ([\d.]+)-([\d.]+)\[External\] : All Connections$/.exec(v));
    expect(ranges.every((m) => m !== null)).toBe(true);
    expect(ranges[0]![1]).toBe('0.0.0.0');
    expect(ranges.at(-1)![2]).toBe('255.255.255.255');
    expect(ranges.some((m) => m![1] === '128.0.0.0')).toBe(true);
  });

  it('rejects Cilium toEntities: [world] and a toFQDNs matchPattern "*" with a DNS rule that lets every lookup through', async () => {
    const r = await synth('prod-cilium');
    expect(externalReachViolations(r)).toEqual([]);
    const world = externalReachViolations(withObjects(r, [cnp([{ toEntities: ['world'] }])]));
    expect(world.filter((v) => v.startsWith('agents/coding-agent[Deployment] => 0.0.0.0-'))).not.toEqual([]);
    const starOnly = cnp([{ toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]);
    // The agents' DNS rules name their own hosts only: the DNS proxy refuses other lookups, so Cilium never learns other names' IPs (A17).
    expect(externalReachViolations(withObjects(r, [starOnly]))).toEqual([]);
    const lookups = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
    const star = externalReachViolations(withObjects(r, [cnp([{ toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, lookups])]));
    expect(star).toContain('agents/coding-agent[Deployment] => *[DNS] : TCP 443 (undeclared name)');
  });
});

describe('defaultDenyViolations', () => {
  it.each([
    ['local', 'NetworkPolicy'],
    ['prod-cilium', 'CiliumNetworkPolicy'],
  ])('%s: rejects the cluster without palisade-default-deny', async (name, kind) => {
    const r = await synth(name);
    expect(defaultDenyViolations(r)).toEqual([]);
    const open = defaultDenyViolations(withObjects(r, [], (o) => o.kind === kind && o.metadata.name === 'palisade-default-deny'));
    expect(open.filter((v) => v.startsWith('agents/intruder[Deployment] => ') || v.includes('=> agents/intruder[Deployment]'))).not.toEqual([]);
  });

  it('prod-calico: rejects the tier without its default deny', async () => {
    const r = await synth('prod-calico');
    expect(defaultDenyViolations(r)).toEqual([]);
    const open = withObjects(r, [], (o) => o.kind === 'GlobalNetworkPolicy' && o.metadata.name === 'palisade.default-deny');
    const tierOpen = { ...open, objects: open.objects.map((o) => (o.kind === 'Tier' ? { ...o, spec: { ...(o['spec'] as object), defaultAction: 'Pass' } } : o)) };
    expect(defaultDenyViolations(tierOpen).filter((v) => v.includes('agents/intruder[Deployment]'))).not.toEqual([]);
  });
});
