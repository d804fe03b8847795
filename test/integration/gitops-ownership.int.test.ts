/**
 * Clusters synced by Argo CD or Flux: the engine applied palisade's output, so ownership comes from
 * the engine's own record (Flux `Kustomization.status.inventory`, Argo CD
 * `Application.status.resources`, upstream CRDs, status in the controllers' format), never from
 * labels; `palisade drift` reports, `reconcile` refuses.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { groupOf, type KubeObject } from '../../lib/core/resource-id.js';
import type { SyncedBy } from '../../lib/cluster/cluster-spec.js';
import { synthesize } from '../../lib/index.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';
import { testCluster } from '../../lib/testing/index.js';
import { smallDefinition } from '../support/targets.js';
import { testClient, uniqueName } from '../support/cluster.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const client = testClient();

/** A small policy set on a cluster synced by `engine`, applied as that engine's controller would. */
async function syncedTarget(engine: 'argocd' | 'flux'): Promise<{ target: ClusterTarget; suffix: string; record: SyncedBy & { namespace: string; name: string } }> {
  const suffix = uniqueName('g').slice(2);
  const record = { engine, namespace: engine === 'flux' ? 'flux-system' : 'argocd', name: `palisade-it-${suffix}` };
  const spec = { ...testCluster({ name: `it-${suffix}` }), syncedBy: record };
  const desired = desiredFrom(synthesize(smallDefinition(suffix), spec), 'rev-1');
  const objects = new Map([...desired.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmission')));
  const target = { spec, desired: { ...desired, objects, admissionPolicies: [] }, probes: [] };
  const manager = engine === 'flux' ? 'kustomize-controller' : 'argocd-controller';
  for (const o of objects.values()) await client.apply(o, { fieldManager: manager });
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: record.namespace } });
  return { target, suffix, record };
}

const ids = (t: ClusterTarget, extra: KubeObject[] = []): KubeObject[] => [...t.desired.objects.values(), ...extra];

async function recordFlux(record: { namespace: string; name: string }, objects: KubeObject[]): Promise<void> {
  await client.apply({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: record.name, namespace: record.namespace }, spec: { interval: '1m', prune: true, sourceRef: { kind: 'GitRepository', name: record.name } } });
  const entries = objects.map((o) => ({ id: `${o.metadata.namespace ?? ''}_${o.metadata.name}_${groupOf(o.apiVersion)}_${o.kind}`, v: o.apiVersion.split('/').at(-1) }));
  await run('kubectl', ['--kubeconfig', inject('kubeconfig'), 'patch', 'kustomization', record.name, '-n', record.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { inventory: { entries } } })]);
}

async function recordArgo(record: { namespace: string; name: string }, objects: KubeObject[]): Promise<void> {
  const resources = objects.map((o) => ({ group: groupOf(o.apiVersion), version: o.apiVersion.split('/').at(-1), kind: o.kind, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name, status: 'Synced' }));
  await client.apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: record.name, namespace: record.namespace }, spec: { project: 'default', source: { repoURL: 'https://git.example.com/p.git', path: 'dist/x', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'default' } }, status: { resources } }, { fieldManager: 'argocd-application-controller' });
}

describe.skipIf(skipWithout('kubectl'))('ownership on clusters synced by a GitOps engine', () => {
  it.each([['flux', recordFlux], ['argocd', recordArgo]] as const)('%s: the engine\'s record is ownership; foreign objects are reported; reconcile refuses', async (engine, recordOf) => {
    const { target, suffix, record } = await syncedTarget(engine);
    const ns = `agents-${suffix}`;
    // An object the engine applied from an earlier revision (still in its record, no longer in Git).
    const leftover: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'old-rule', namespace: ns }, spec: { podSelector: { matchLabels: { app: 'agent' } }, policyTypes: ['Egress'] } };
    await client.apply(leftover, { fieldManager: 'kustomize-controller' });
    await recordOf(record, ids(target, [leftover]));

    const clean = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(clean.report.items.map((i) => `${i.kind} ${i.id.name}`)).toEqual(['unpruned old-rule']);

    // A policy the engine did not apply, wearing palisade's labels, is foreign.
    const forged: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'forged', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'palisade' } }, spec: { podSelector: {}, ingress: [{}], egress: [{}] } };
    await client.apply(forged, { fieldManager: 'kubectl' });
    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(drift.report.items.map((i) => `${i.kind} ${i.id.name}`).sort()).toEqual(['foreign forged', 'unpruned old-rule']);

    await expect(reconcileOnce(client, new Predictor(client), target, { write: true })).rejects.toThrow(new RegExp(`cluster it-${suffix} is synced by ${engine} .*palisade only reports drift there`));
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name: 'forged' })).toBeDefined();
  });

  it('names the missing record and how to point at it', async () => {
    const { target } = await syncedTarget('flux');
    await expect(reconcileOnce(client, new Predictor(client), target, { write: false })).rejects.toThrow(/is synced by flux, but Kustomization\/flux-system\/palisade-it-\S+ does not exist/);
  });
});
