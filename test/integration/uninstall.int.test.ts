/**
 * `palisade uninstall -c CLUSTER` (issue 15) on the real API server with protection applied:
 * refused while the in-cluster reconciler's Deployment has replicas; a dry run lists the protection first and changes nothing; uninstall removes the protection
 * binding and policy first, then palisade's objects, keeps Namespaces, removes the inventory, and
 * afterwards a namespace editor (kubectl --as, RBAC created here) may write policies again.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_PROTECT } from '../../lib/cluster/cluster-spec.js';
import { synthesize } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { INVENTORY_NAMESPACE, inventoryName } from '../../reconciler/inventory/inventory.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom } from '../../reconciler/source/desired.js';
import { runCli } from '../support/cli.js';
import { eventually, testClient, uniqueName } from '../support/cluster.js';
import { smallDefinition } from '../support/targets.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const client = testClient();
const MALLORY = 'mallory-uninstall@example.com';

async function malloryCreates(ns: string, name: string): Promise<boolean> {
  const policy = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] } });
  const p = run('kubectl', ['--kubeconfig', inject('kubeconfig'), '--as', MALLORY, 'apply', '--dry-run=server', '-f', '-']);
  p.child.stdin?.end(policy);
  return p.then(() => true, () => false);
}

describe.skipIf(skipWithout('kubectl'))('palisade uninstall', () => {
  const suffix = uniqueName('u').slice(2);
  const cluster = `un-${suffix}`;
  const agents = `agents-${suffix}`;
  const protection = `palisade-protect-${cluster}`;
  const egress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: agents, name: 'agent-egress' };
  const args = (...a: string[]): string[] => ['uninstall', '-c', cluster, '--kubeconfig', inject('kubeconfig'), ...a];

  beforeAll(async () => {
    const spec = testCluster({ name: cluster, protect: DEFAULT_PROTECT });
    const desired = desiredFrom(synthesize(smallDefinition(suffix), spec), 'rev-1');
    // Other tests share the API server: keep only this cluster's (uniquely named) protection among admission objects.
    const objects = new Map([...desired.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmission') || o.metadata.name === protection));
    const pass = await reconcileOnce(client, new Predictor(client), { spec, desired: { ...desired, objects, admissionPolicies: [protection], kyvernoPolicies: [] }, probes: [] }, { write: true, allowMassPrune: false });
    expect(pass.report.failures).toEqual([]);
    const rbac = 'rbac.authorization.k8s.io/v1';
    await client.apply({ apiVersion: rbac, kind: 'Role', metadata: { name: 'np-writer', namespace: agents }, rules: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create', 'patch'] }] });
    await client.apply({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'np-writer', namespace: agents }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'np-writer' }, subjects: [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }] });
    await eventually(() => malloryCreates(agents, 'probe'), (ok) => !ok, 30_000);
  }, 120_000);

  it('refuses while the in-cluster reconciler runs (it would put everything back), deleting nothing', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'palisade-reconciler', namespace: INVENTORY_NAMESPACE },
      spec: { replicas: 1, selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'r', image: 'ghcr.io/palisade-dev/palisade:0.1.0' }] } } } };
    await client.apply(deployment);
    try {
      const r = await runCli(args());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Deployment/${INVENTORY_NAMESPACE}/palisade-reconciler is running (1 replica(s))`);
      expect(r.stderr).toContain('--replicas=0');
      expect(r.stdout).not.toMatch(/deleted/);
      expect(await client.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', name: protection })).toBeDefined();
    } finally {
      await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: INVENTORY_NAMESPACE, name: 'palisade-reconciler' });
    }
  });

  it('a dry run lists the protection first and changes nothing', async () => {
    const r = await runCli(args('--dry-run'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([`would delete ValidatingAdmissionPolicyBinding/${protection}`, `would delete ValidatingAdmissionPolicy/${protection}`]);
    expect(r.stdout).toContain(`would delete NetworkPolicy/${agents}/agent-egress`);
    expect(r.stdout).toMatch(/dry run: nothing changed/);
    expect(await client.get(egress)).toBeDefined();
    expect(await client.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', name: protection })).toBeDefined();
  });

  it('removes the protection, then palisade\'s objects and inventory, keeps the Namespace, and lets editors write again', async () => {
    const r = await runCli(args());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`deleted ValidatingAdmissionPolicyBinding/${protection}`);
    expect(r.stdout).toContain(`kept Namespace/${agents}`);
    expect(await client.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', name: protection })).toBeUndefined();
    expect(await client.get(egress)).toBeUndefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: agents })).toBeDefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: inventoryName(cluster) })).toBeUndefined();
    await eventually(() => malloryCreates(agents, 'after'), (ok) => ok, 30_000);

    const again = await runCli(args());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${cluster}: 0 deleted`));
  }, 120_000);
});
