/**
 * In-cluster deployment of the reconciler: every manifest passes a strict server-side dry-run, and
 * kubectl's own RBAC check confirms the ServiceAccount may manage exactly palisade's kinds.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { listClusters, loadCluster, synthesize } from '../../lib/index.js';
import { reconcilerManifests } from '../../lib/deploy/reconciler-manifests.js';
import { definePolicies } from '../../policies/index.js';
import { statusOf, testClient } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const client = testClient();

async function canI(verb: string, resource: string, namespace?: string): Promise<string> {
  const args = ['--kubeconfig', inject('kubeconfig'), 'auth', 'can-i', verb, resource, '--as', 'system:serviceaccount:palisade-system:palisade-reconciler', ...(namespace ? ['-n', namespace] : [])];
  const r = await run('kubectl', args).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return r.stdout.trim();
}

const clusterNames = await listClusters(`${REPO_ROOT}/clusters`);

describe.skipIf(skipWithout('kubectl'))('palisade install-manifests', () => {
  it.each(clusterNames)('%s: manifests pass a strict server-side dry-run', async (name) => {
    const result = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, name));
    const objects = reconcilerManifests({ cluster: name, gitUrl: 'https://git.example.com/policies.git', managed: result.objects, backends: result.cluster });
    await client.apply(objects[0]!);
    const rejected = [];
    for (const o of objects) {
      const r = await statusOf(() => client.apply(o, { dryRun: true }));
      if (r.status !== 200) rejected.push(r.message);
    }
    expect(rejected).toEqual([]);
  });

  it('grants the ServiceAccount exactly what it needs (kubectl auth can-i)', async () => {
    const result = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-cilium'));
    for (const o of reconcilerManifests({ cluster: 'prod-cilium', gitUrl: 'https://git.example.com/p.git', managed: result.objects, backends: result.cluster }).filter((x) => x.kind !== 'Deployment')) await client.apply(o);
    expect(await canI('list', 'ciliumnetworkpolicies.cilium.io')).toBe('yes');
    // Cilium enforces plain NetworkPolicy beside its own: foreign ones must be seen and removed.
    expect(await canI('watch', 'networkpolicies.networking.k8s.io', 'agents')).toBe('yes');
    expect(await canI('delete', 'networkpolicies.networking.k8s.io', 'agents')).toBe('yes');
    expect(await canI('delete', 'validatingadmissionpolicybindings.admissionregistration.k8s.io')).toBe('yes');
    expect(await canI('watch', 'tracingpoliciesnamespaced.cilium.io', 'agents')).toBe('yes');
    expect(await canI('update', 'leases.coordination.k8s.io', 'palisade-system')).toBe('yes');
    expect(await canI('update', 'leases.coordination.k8s.io', 'default')).toBe('no');
    expect(await canI('get', 'secrets', 'agents')).toBe('no');
    expect(await canI('create', 'pods', 'agents')).toBe('no');
    expect(await canI('list', 'globalnetworkpolicies.projectcalico.org')).toBe('no');
    expect(await canI('list', 'policyexceptions.policies.kyverno.io')).toBe('no');
    // The API server's admission counters (blocked tampers), and no other non-resource URL.
    expect(await canI('get', '/metrics')).toBe('yes');
    expect(await canI('get', '/logs')).toBe('no');
  });

  it('lets the reconciler of a Kyverno cluster remove foreign PolicyExceptions, and nothing of other backends', async () => {
    const result = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-calico'));
    for (const o of reconcilerManifests({ cluster: 'prod-calico', gitUrl: 'https://git.example.com/p.git', managed: result.objects, backends: result.cluster }).filter((x) => x.kind !== 'Deployment')) await client.apply(o);
    expect(await canI('watch', 'policyexceptions.policies.kyverno.io')).toBe('yes');
    expect(await canI('delete', 'policyexceptions.policies.kyverno.io', 'agents')).toBe('yes');
    expect(await canI('list', 'globalnetworkpolicies.projectcalico.org')).toBe('yes');
    expect(await canI('delete', 'networksets.projectcalico.org', 'agents')).toBe('yes');
    expect(await canI('watch', 'networkpolicies.networking.k8s.io', 'agents')).toBe('yes');
    expect(await canI('list', 'ciliumnetworkpolicies.cilium.io')).toBe('no');
    // The egress proxy's generated configuration: writable in its namespace, and no other ConfigMap anywhere.
    expect(result.objects.filter((o) => o.kind === 'ConfigMap').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['egress/egress-proxy-squid']);
    expect(await canI('watch', 'configmaps', 'egress')).toBe('yes');
    expect(await canI('update', 'configmaps', 'egress')).toBe('yes');
    expect(await canI('get', 'configmaps', 'kube-system')).toBe('no');
    expect(await canI('delete', 'configmaps', 'agents')).toBe('no');
    expect(await canI('list', 'configmaps')).toBe('no');
  });
});
