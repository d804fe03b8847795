/**
 * `palisade doctor` as a user runs it, against the real API server with the upstream CRDs: the
 * template's prod-cilium cluster with a cilium-config that keeps palisade's labels (clean, exit 0)
 * and one whose `labels` allow-list makes them information-only (the finding, exit 1). Only this
 * file writes kube-system/cilium-config and the kube-system DaemonSets it reads.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { gatherFacts, judge } from '../../reconciler/doctor/index.js';
import { loadCluster, synthesize } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { runCli } from '../support/cli.js';
import { testClient } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

const daemonSet = (name: string, labels: Record<string, string>, container: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system', labels },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: container, image }] } } },
});

const ciliumConfig = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data });
const doctor = (): ReturnType<typeof runCli> => runCli(['doctor', '-c', 'prod-cilium', '--source', REPO_ROOT, '--kubeconfig', kubeconfig()]);

describe.skipIf(skipWithout('kubectl'))('palisade doctor on a Cilium cluster', () => {
  beforeAll(async () => {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    await client.apply(daemonSet('cilium', { 'k8s-app': 'cilium' }, 'cilium-agent', 'quay.io/cilium/cilium:v1.19.4'));
    await client.apply(daemonSet('tetragon', { 'app.kubernetes.io/name': 'tetragon' }, 'tetragon', 'quay.io/cilium/tetragon:v1.7.0'));
    // No kubelet runs here: the DaemonSet's readiness is written as its controller would.
    execFileSync('kubectl', ['--kubeconfig', kubeconfig(), '-n', 'kube-system', 'patch', 'daemonset', 'tetragon', '--subresource=status', '--type=merge', '-p', '{"status":{"numberReady":1,"desiredNumberScheduled":1,"currentNumberScheduled":1,"numberMisscheduled":0}}']);
  });

  it('finds a kind the API server does not serve', async () => {
    const facts = await gatherFacts(client, [{ apiVersion: 'example.palisade.dev/v1', kind: 'Missing', metadata: { name: 'x' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }]);
    expect(facts.unservedKinds).toEqual(['example.palisade.dev/v1/Missing']);
  });

  it('is clean when cilium-config keeps the labels palisade selects on (exit 0)', async () => {
    await client.apply(ciliumConfig({ 'enable-policy': 'default' }), { force: true });
    const r = await doctor();
    expect(r.stdout).toContain('ok   cilium-labels');
    expect(r.stdout).toContain('ok   cilium-version: Cilium 1.19.4');
    expect(r.stdout).toContain('all assumptions hold');
    expect(r.code).toBe(0);
  });

  it('reports a labels allow-list that drops palisade\'s quarantine and agent labels (exit 1)', async () => {
    await client.apply(ciliumConfig({ 'enable-policy': 'default', labels: 'k8s:io.kubernetes.pod.namespace k8s:app.kubernetes.io' }), { force: true });
    const r = await doctor();
    expect(r.stdout).toMatch(/FAIL cilium-labels: cilium-config labels "k8s:io.kubernetes.pod.namespace k8s:app.kubernetes.io" make .*palisade\.dev\/quarantine.* information-only/);
    expect(r.stdout).toMatch(/hint: add .*k8s:palisade\\.dev\/quarantine/);
    expect(r.stdout).toContain('1 assumption(s) do not hold');
    expect(r.code).toBe(1);
  });

  it('reports a Cilium in policy audit mode, which drops nothing (exit 1)', async () => {
    await client.apply(ciliumConfig({ 'enable-policy': 'default', 'policy-audit-mode': 'true' }), { force: true });
    const r = await doctor();
    expect(r.stdout).toMatch(/FAIL cilium-enforcement: cilium-config policy-audit-mode is "true"/);
    expect(r.stdout).toContain('ok   cilium-labels');
    expect(r.code).toBe(1);
  });
});

describe('kube-api-cidrs against the API server\'s own record (E11)', () => {
  it('reads Service default/kubernetes and its EndpointSlices: the ClusterIP is reported, the endpoint address holds', async () => {
    // The suite's API server runs with --endpoint-reconciler-type=none on loopback (which a slice may
    // not name), so the slice a cluster's API servers maintain for themselves is written here as
    // they write it, with a control-plane node's address.
    await client.apply({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.10'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    });
    const facts = await gatherFacts(client, []);
    const svc = facts.kubernetesService;
    expect(svc?.clusterIPs).toHaveLength(1);
    expect(svc?.endpoints).toEqual(['10.0.0.10']);
    expect(svc?.endpoints).not.toContain(svc?.clusterIPs[0]);
    const r = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-calico'));
    const judged = (kubeApiServerCidrs: string[]) => judge({ ...r.cluster, kubeApiServerCidrs }, r.objects, facts).find((f) => f.check === 'kube-api-cidrs');
    expect(judged([`${svc!.clusterIPs[0]}/32`])).toMatchObject({ ok: false, message: expect.stringContaining(`names the Service address ${svc!.clusterIPs[0]}`) });
    expect(judged(svc!.endpoints.map((a) => `${a}/32`))).toMatchObject({ ok: true });
    // The template's prod-calico names that address (a control-plane node's), so it holds as shipped.
    expect(judge(r.cluster, r.objects, facts).find((f) => f.check === 'kube-api-cidrs')).toMatchObject({ ok: true });
  });
});
