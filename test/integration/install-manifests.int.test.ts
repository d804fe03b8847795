/**
 * In-cluster deployment of the reconciler: every manifest passes a strict server-side dry-run,
 * kubectl's own RBAC check confirms the ServiceAccount may manage exactly palisade's kinds, and the
 * reconciler running as that ServiceAccount (impersonated) corrects drift with those grants alone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { listClusters, loadCluster, synthesize } from '../../lib/index.js';
import { reconcilerManifests } from '../../lib/deploy/reconciler-manifests.js';
import { definePolicies } from '../../policies/index.js';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Agent, EgressProxy, ExternalEndpoint, Zone, type PolicyDefinition } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { clientFor } from '../../reconciler/cluster/client.js';
import { loadKubeConfig } from '../../reconciler/cluster/connect.js';
import { ClusterController } from '../../reconciler/engine/controller.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Metrics } from '../../reconciler/engine/telemetry.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';
import { eventually, statusOf, testClient } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const client = testClient();
const RECONCILER_SA = 'system:serviceaccount:palisade-system:palisade-reconciler';

/** A client that acts as the reconciler's ServiceAccount (impersonated by the suite's admin). */
function reconcilerClient(): ReturnType<typeof testClient> {
  const kc = loadKubeConfig({ kubeconfig: inject('kubeconfig') });
  const user = kc.getCurrentUser()!;
  kc.users = kc.users.map((u) => (u.name === user.name ? { ...u, impersonateUser: RECONCILER_SA } : u));
  return clientFor(kc);
}

function proxyDefinition(suffix: string): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const proxy = new EgressProxy(scope, 'proxy', { namespace: `egress-${suffix}`, zone });
    new Agent(scope, 'agent', { namespace: `agents-${suffix}`, zone }).allowTo(new ExternalEndpoint(scope, 'api', { host: 'api.example.com' }), { via: proxy });
  };
}

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
    // Namespaces for real (a dry-run creates nothing for the Roles in them to land in), the rest dry-run.
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) await client.apply(ns);
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

  it('as its ServiceAccount with exactly the generated grants, corrects a rewritten proxy ConfigMap in a pass and in watch mode', async () => {
    const suffix = randomBytes(3).toString('hex');
    const spec = testCluster({ name: `sa-${suffix}` });
    const result = synthesize(proxyDefinition(suffix), spec);
    const desired = desiredFrom(result, 'rev-1');
    const objects = new Map([...desired.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmission')));
    const target: ClusterTarget = { spec, desired: { ...desired, objects, admissionPolicies: [], kyvernoPolicies: [] }, probes: [] };
    expect((await reconcileOnce(client, new Predictor(client), target, { write: true })).report.failures).toEqual([]);
    for (const o of reconcilerManifests({ cluster: spec.name, gitUrl: 'https://git.example.com/p.git', managed: [...objects.values()], backends: result.cluster }).filter((x) => x.kind !== 'Deployment')) await client.apply(o);
    expect(await canI('list', 'configmaps')).toBe('no');
    const sa = reconcilerClient();
    const id = { apiVersion: 'v1', kind: 'ConfigMap', namespace: `egress-${suffix}`, name: 'proxy-squid' };
    const conf = async (): Promise<string> => String(((await client.get(id))?.['data'] as Record<string, string>)['squid.conf']);
    const good = await conf();
    const rewrite = () => run('kubectl', ['--kubeconfig', inject('kubeconfig'), '-n', id.namespace, 'patch', 'configmap', id.name, '--type=merge', '-p', JSON.stringify({ data: { 'squid.conf': 'http_access allow all\n' } })]);
    await rewrite();
    const pass = await reconcileOnce(sa, new Predictor(sa), target, { write: true });
    expect(pass.report.failures).toEqual([]);
    expect(pass.report.items.filter((i) => i.id.kind === 'ConfigMap').map((i) => [i.id.name, i.kind, i.corrected])).toEqual([['proxy-squid', 'modified', true]]);
    expect(await conf()).toBe(good);
    const controller = new ClusterController(sa, target, { metrics: new Metrics(), log: pino({ level: 'silent' }), resyncMs: 0 });
    await controller.start();
    try {
      await rewrite();
      await eventually(() => conf(), (c) => c === good, 20_000);
    } finally {
      controller.stop();
    }
  });
});
