/**
 * Reconciler passes against the real API server: initial apply in stages with an inventory,
 * pruning guarded by inventory and UID, the mass-prune cap, and recovery after the API server
 * dies in the middle of an apply.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { idOf, keyOf, type KubeObject } from '../../lib/core/resource-id.js';
import { driftOf } from '../../reconciler/plan/diff.js';
import { silentProgress } from '../../lib/core/progress.js';
import { STAGES, stageOf } from '../../lib/core/order.js';
import { clientFor } from '../../reconciler/cluster/client.js';
import { loadKubeConfig } from '../../reconciler/cluster/connect.js';
import { killApiserver, restartApiserver, startControlPlane, stopControlPlane } from '../../reconciler/controlplane/index.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { applySetId, loadInventory, PART_OF_LABEL } from '../../reconciler/inventory/inventory.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { testClient } from '../support/cluster.js';
import { smallTarget } from '../support/targets.js';
import { skipWithout } from '../support/tools.js';

const client = testClient();
const run = promisify(execFile);

describe.skipIf(skipWithout('kubectl'))('reconcile --once', () => {
  it('applies every object in stage order and records the inventory with UIDs', async () => {
    const target = smallTarget();
    const order: string[] = [];
    const pass = await reconcileOnce(client, new Predictor(client), target, { write: true, onEntry: (e) => order.push(e.id.kind) });
    expect(pass.result?.completed).toBe(true);
    expect(pass.report.summary.created).toBe(target.desired.objects.size);
    const stages = order.map((k) => STAGES.indexOf(stageOf({ kind: k })));
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
    expect(order[0]).toBe('Namespace');
    for (const obj of target.desired.objects.values()) {
      const live = await client.get({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) });
      expect(live?.metadata.labels?.[PART_OF_LABEL]).toBe(applySetId(target.spec.name));
    }
    const inventory = await loadInventory(client, target.spec.name);
    expect(inventory.entries).toHaveLength(target.desired.objects.size);
    expect(inventory.entries.every((e) => /^[0-9a-f-]{36}$/.test(e.uid))).toBe(true);
    const again = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(again.report.items).toEqual([]);
  });

  it('labels objects with the ApplySet id kubectl computes for the same parent ConfigMap', async () => {
    const cluster = `kubectl-${Date.now().toString(36)}`;
    const dir = await mkdtemp(join(tmpdir(), 'palisade-applyset-'));
    const { writeFile } = await import('node:fs/promises');
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'palisade-system' } });
    await writeFile(join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: member-${cluster}, namespace: palisade-system}\n`);
    const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', inject('kubeconfig'), ...args], { env: { ...process.env, KUBECTL_APPLYSET: 'true' } });
    await kubectl('apply', '-n', 'palisade-system', '--server-side', '--prune', `--applyset=configmaps/palisade-inventory-${cluster}`, '-f', join(dir, 'cm.yaml'));
    const parent = await kubectl('get', 'configmap', '-n', 'palisade-system', `palisade-inventory-${cluster}`, '-o', 'jsonpath={.metadata.labels.applyset\\.kubernetes\\.io/id}');
    expect(parent.stdout).toMatch(/^applyset-/);
    expect(applySetId(cluster)).toBe(parent.stdout);
  });

  it('stores every declared field, as kubectl (an independent client) sees it', async () => {
    const target = smallTarget();
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    const { stdout } = await run('kubectl', ['--kubeconfig', inject('kubeconfig'), 'get', 'networkpolicies', '-A', '-l', `${PART_OF_LABEL}=${applySetId(target.spec.name)}`, '-o', 'json']);
    const seen = new Map((JSON.parse(stdout) as { items: KubeObject[] }).items.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, { ...o, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }]));
    const desired = [...target.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy');
    expect(seen.size).toBe(desired.length);
    for (const o of desired) {
      const live = seen.get(`${o.metadata.namespace}/${o.metadata.name}`)!;
      expect(driftOf(o, live, 'merge'), `${o.metadata.namespace}/${o.metadata.name}`).toEqual([]);
    }
    expect(JSON.stringify(seen.get(`tools-${target.suffix}/tool-ingress`))).toContain('"from":[{"namespaceSelector"');
  });

  it('prunes a policy removed from Git, removes a look-alike with forged palisade labels as foreign, never prunes Namespaces by default', async () => {
    const before = smallTarget(undefined, { stores: 3 });
    await reconcileOnce(client, new Predictor(client), before, { write: true });
    const forged = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'forged', namespace: `agents-${before.suffix}`, labels: { [PART_OF_LABEL]: applySetId(before.spec.name), 'app.kubernetes.io/managed-by': 'palisade' } }, spec: { podSelector: {}, ingress: [{}] } };
    await client.apply(forged, { fieldManager: 'someone-else' });
    const after = smallTarget(before.suffix, { stores: 3, withoutTool: true }, 'rev-2');
    const pass = await reconcileOnce(client, new Predictor(client), after, { write: true });
    const pruned = pass.result?.entries.filter((e) => e.action === 'pruned').map((e) => `${e.id.kind}/${e.id.namespace ?? ''}/${e.id.name}`).sort();
    expect(pruned).toEqual([`NetworkPolicy/tools-${before.suffix}/palisade-allow-dns`, `NetworkPolicy/tools-${before.suffix}/palisade-default-deny`, `NetworkPolicy/tools-${before.suffix}/tool-ingress`]);
    expect(pass.report.skipped.map((s) => `${s.id.kind}/${s.id.name} ${s.reason}`)).toEqual([`Namespace/tools-${before.suffix} namespace-prune-disabled`]);
    // The ApplySet label is readable off any palisade object: wearing it does not make an object palisade's.
    expect(pass.result?.entries.filter((e) => e.action === 'removed').map((e) => `${e.id.kind}/${e.id.namespace ?? ''}/${e.id.name}`)).toEqual([`NetworkPolicy/agents-${before.suffix}/forged`]);
    expect(pass.report.items.filter((i) => i.kind === 'foreign').map((i) => [i.id.name, i.corrected])).toEqual([['forged', true]]);
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `tools-${before.suffix}`, name: 'tool-ingress' })).toBeUndefined();
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${before.suffix}`, name: 'forged' })).toBeUndefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: `tools-${before.suffix}` })).toBeDefined();
  });

  it('still removes a foreign widening policy when an unrelated apply fails, and reports only what happened', async () => {
    const target = smallTarget();
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    const ns = `agents-${target.suffix}`;
    await client.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: ns }, spec: { podSelector: {}, ingress: [{}], egress: [{}] } }, { fieldManager: 'intruder' });
    // A desired object the API server rejects (port out of range): its stage fails.
    const broken: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'broken', namespace: ns }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] } };
    const objects = new Map(target.desired.objects).set(keyOf(idOf(broken)), broken);
    const pass = await reconcileOnce(client, new Predictor(client), { ...target, desired: { ...target.desired, objects } }, { write: true });
    expect(pass.result?.completed).toBe(false);
    expect(pass.report.failures.map((f) => f.id.name)).toEqual(['broken']);
    expect(pass.result?.entries.filter((e) => e.action === 'removed').map((e) => e.id.name)).toEqual(['open']);
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name: 'open' })).toBeUndefined();
    expect(pass.report.items.filter((i) => i.id.name === 'broken').map((i) => [i.kind, i.corrected])).toEqual([['missing', false]]);
  });

  it('refuses a mass prune above the cap with a clear message and deletes nothing', async () => {
    const before = smallTarget(undefined, { stores: 6 });
    await reconcileOnce(client, new Predictor(client), before, { write: true });
    const emptied = { ...before, desired: { ...before.desired, objects: new Map([...before.desired.objects].filter(([, o]) => o.kind === 'Namespace')) } };
    const pass = await reconcileOnce(client, new Predictor(client), emptied, { write: true });
    expect(pass.report.refusal).toMatch(/refusing to remove \d+ objects \(\d+ prunes of \d+ managed objects\): the cap is \d+ .*--allow-mass-prune/);
    expect(pass.report.summary.pruned).toBe(0);
    const left = await client.list('networking.k8s.io/v1', 'NetworkPolicy', { namespace: `agents-${before.suffix}` });
    expect(left.length).toBeGreaterThan(6);
    const forced = await reconcileOnce(client, new Predictor(client), emptied, { write: true, allowMassPrune: true });
    expect(forced.report.summary.pruned).toBeGreaterThan(6);
  });

  it('refuses to take over a namespace whose existing policies it would remove above the cap, and removes them when allowed', async () => {
    const before = smallTarget();
    await reconcileOnce(client, new Predictor(client), before, { write: true });
    const team = `team-${before.suffix}`;
    const teamNs: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } };
    await client.apply(teamNs);
    const theirs = (i: number): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `team-${i}`, namespace: team }, spec: { podSelector: {}, ingress: [{}] } });
    for (const i of [0, 1, 2, 3]) await client.apply(theirs(i));
    const takeover = { ...before, desired: { ...before.desired, objects: new Map(before.desired.objects).set(keyOf(idOf(teamNs)), teamNs), governedNamespaces: [...before.desired.governedNamespaces, team] } };
    const pass = await reconcileOnce(client, new Predictor(client), takeover, { write: true });
    expect(pass.report.refusal).toMatch(new RegExp(`refusing to remove 4 objects \\(0 prunes of \\d+ managed objects, 4 foreign objects in namespaces palisade did not govern before \\(${team}\\)\\): the cap is \\d+ .*--allow-mass-prune`));
    expect(pass.report.items.filter((i) => i.kind === 'foreign').map((i) => [i.id.name, i.corrected])).toEqual([0, 1, 2, 3].map((i) => [`team-${i}`, false]));
    expect((await client.list('networking.k8s.io/v1', 'NetworkPolicy', { namespace: team })).map((o) => o.metadata.name).sort()).toEqual(['team-0', 'team-1', 'team-2', 'team-3']);
    const forced = await reconcileOnce(client, new Predictor(client), takeover, { write: true, allowMassPrune: true });
    expect(forced.report.refusal).toBeUndefined();
    expect(forced.result?.entries.filter((e) => e.action === 'removed').map((e) => e.id.name).sort()).toEqual(['team-0', 'team-1', 'team-2', 'team-3']);
    expect(await client.list('networking.k8s.io/v1', 'NetworkPolicy', { namespace: team })).toEqual([]);
  });
});

describe('API server stopped mid-apply', () => {
  it('the next pass converges: every object present once, inventory complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-crash-'));
    const state = await startControlPlane({ name: 'crash', dir, ownerPid: process.pid, progress: silentProgress });
    try {
      const own = clientFor(loadKubeConfig({ kubeconfig: state.kubeconfig }));
      const target = smallTarget(undefined, { stores: 30 });
      let writes = 0;
      let killed: Promise<void> | undefined;
      const first = await reconcileOnce(own, new Predictor(own), target, {
        write: true, concurrency: 2,
        onEntry: () => { writes += 1; if (writes === 10) killed = killApiserver(state); },
      }).catch((e: unknown) => e);
      await killed;
      // Either the pass reported failures or the inventory write failed: it did not complete.
      expect(first instanceof Error || (first as { result?: { completed: boolean } }).result?.completed === false).toBe(true);
      await restartApiserver(state, { ownerPid: process.pid, progress: silentProgress });
      const second = await reconcileOnce(own, new Predictor(own), target, { write: true });
      expect(second.result?.completed).toBe(true);
      expect(second.report.failures).toEqual([]);
      const check = await reconcileOnce(own, new Predictor(own), target, { write: false });
      expect(check.report.items).toEqual([]);
      const policies = await own.list('networking.k8s.io/v1', 'NetworkPolicy', { labelSelector: `${PART_OF_LABEL}=${applySetId(target.spec.name)}` });
      expect(policies.length).toBe([...target.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy').length);
      expect((await loadInventory(own, target.spec.name)).entries).toHaveLength(target.desired.objects.size);
    } finally {
      await stopControlPlane(dir);
    }
  }, 180_000);
});
