/**
 * The real API server judges palisade's output: every object synthesized for every template
 * cluster passes a server-side dry-run with strict field validation (schemas and CEL rules of the
 * upstream CRDs), and the synthesized admission policies really deny and admit pods.
 */
import { describe, expect, it } from 'vitest';
import { listClusters, loadCluster, synthesize, type KubeObject } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { eventually, freshNamespace, statusOf, testClient, uniqueName } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';

const client = testClient();
const clustersDir = `${REPO_ROOT}/clusters`;

async function synth(name: string): Promise<readonly KubeObject[]> {
  return synthesize(definePolicies, await loadCluster(clustersDir, name)).objects;
}

describe.each(await listClusters(clustersDir))('cluster %s', (name) => {
  it('every synthesized object is accepted by a strict server-side dry-run', async () => {
    const objects = await synth(name);
    // Dry-run objects in a namespace need the namespace to exist.
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) await client.apply(ns);
    const rejected: string[] = [];
    for (const o of objects) {
      const r = await statusOf(() => client.apply(o, { dryRun: true }));
      if (r.status !== 200) rejected.push(r.message);
    }
    expect(rejected).toEqual([]);
    expect(objects.length).toBeGreaterThan(20);
  });
});

/**
 * The local cluster's objects minus ResourceQuotas: no kube-controller-manager runs here to compute
 * quota status, and quota admission rejects every pod until it has (the quotas pass the dry-run above).
 */
async function admissionObjects(): Promise<KubeObject[]> {
  return (await synth('local')).filter((o) => o.kind !== 'ResourceQuota');
}

describe('synthesized admission policies on the real API server (local cluster)', () => {
  const pod = (image: string, runtimeClassName?: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('agent'), namespace: 'agents', labels: { app: 'coding-agent' } },
    spec: { ...(runtimeClassName ? { runtimeClassName } : {}), containers: [{ name: 'agent', image }] },
  });

  it('deny a pod from an unlisted registry and one without the sandbox RuntimeClass, and admit a compliant pod', async () => {
    for (const o of await admissionObjects()) await client.apply(o);
    // Policies take effect when the API server's policy informer has synced them.
    const unlisted = await eventually(() => statusOf(() => client.create(pod('docker.io/library/python:3.12', 'gvisor'))), (r) => r.status !== 200);
    expect(unlisted.status).toBe(403);
    expect(unlisted.message).toMatch(/images not from an allowed registry \(ghcr\.io\/acme\/[^)]*\): docker\.io\/library\/python:3\.12/);
    // Each policy syncs on its own: wait for each denial before relying on it.
    const unsandboxed = await eventually(() => statusOf(() => client.create(pod('ghcr.io/acme/agents/coder:1.0'))), (r) => r.status !== 200);
    expect(unsandboxed.status).toBe(403);
    expect(unsandboxed.message).toMatch(/must run in the gvisor sandbox: set spec.runtimeClassName: gvisor/);
    const compliant = await statusOf(() => client.create(pod('ghcr.io/acme/agents/coder:1.0', 'gvisor')));
    expect(compliant).toEqual({ status: 200, message: 'ok' });
  });

  it('forbid host namespaces and privileged containers in any agent namespace (guardrail VAP, without Pod Security in the way)', async () => {
    for (const o of await admissionObjects()) await client.apply(o);
    // The template's namespaces also enforce Pod Security "baseline", which would reject these first.
    const ns = await freshNamespace(client, 'guardrail', { 'palisade.dev/agent-namespace': 'true' });
    const hostNet: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('p'), namespace: ns }, spec: { hostNetwork: true, containers: [{ name: 'a', image: 'ghcr.io/acme/a:1' }] } };
    const denied = await eventually(() => statusOf(() => client.create({ ...hostNet, metadata: { ...hostNet.metadata, name: uniqueName('p') } })), (r) => r.status !== 200);
    expect(denied.message).toMatch(/ValidatingAdmissionPolicy 'palisade-agent-guardrails'.*hostNetwork, hostPID and hostIPC are not allowed in agent namespaces/);
    const privileged: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('p'), namespace: ns }, spec: { initContainers: [{ name: 'init', image: 'ghcr.io/acme/a:1', securityContext: { privileged: true } }], containers: [{ name: 'a', image: 'ghcr.io/acme/a:1' }] } };
    expect((await statusOf(() => client.create(privileged))).message).toMatch(/privileged containers are not allowed in agent namespaces: init/);
  });

  it('deny whole GPUs where the tenancy allows MIG slices only, and admit a MIG pod (no CEL runtime error)', async () => {
    for (const o of await admissionObjects()) await client.apply(o);
    const gpuPod = (resource: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('finetune'), namespace: 'finetuning', labels: { 'job-name': 'finetune' } },
      spec: { containers: [{ name: 'train', image: 'ghcr.io/acme/trainer:1.0', resources: { limits: { [resource]: '1' } } }] },
    });
    const denied = await eventually(() => statusOf(() => client.create(gpuPod('nvidia.com/gpu'))), (r) => r.status !== 200);
    expect(denied.status).toBe(403);
    expect(denied.message).toMatch(/GPU tenancy mig-slices allows MIG slices \(nvidia\.com\/mig-\*\) only/);
    // failurePolicy is Fail, so a CEL evaluation error would deny this one too.
    expect(await statusOf(() => client.create(gpuPod('nvidia.com/mig-1g.10gb')))).toEqual({ status: 200, message: 'ok' });
  });
});
