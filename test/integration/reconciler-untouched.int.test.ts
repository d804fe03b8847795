/**
 * Cold drift checks without dry-runs: an object nobody touched since palisade applied it is proven
 * clean by the resourceVersion palisade recorded in its inventory (plus desired hash and coverage); only touched objects cost
 * a server-side dry-run, and every kind of touch is still reported as drift.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { untouchedSinceApply } from '../../reconciler/observe/untouched.js';
import { loadInventory } from '../../reconciler/inventory/inventory.js';
import { testClient } from '../support/cluster.js';
import { smallTarget } from '../support/targets.js';

const client = testClient();

/** A fresh predictor (as in a new process) that counts the dry-runs it is asked for. */
class CountingPredictor extends Predictor {
  public asked: string[] = [];
  public override async predict(obj: KubeObject): Promise<KubeObject | undefined> {
    this.asked.push(`${obj.kind}/${obj.metadata.name}`);
    return super.predict(obj);
  }
}

const idOfObj = (o: KubeObject): { apiVersion: string; kind: string; name: string; namespace?: string } => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });

describe('cold drift check', () => {
  it('needs no dry-run for objects untouched since palisade applied them', async () => {
    const target = smallTarget(undefined, { stores: 2 });
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    const predictor = new CountingPredictor(client);
    const pass = await reconcileOnce(client, predictor, target, { write: false });
    expect(pass.report.items).toEqual([]);
    expect(predictor.asked).toEqual([]);
    const versions = new Map((await loadInventory(client, target.spec.name)).entries.map((e) => [e.key, e.resourceVersion]));
    for (const [key, obj] of target.desired.objects) {
      const live = (await client.get(idOfObj(obj)))!;
      expect(untouchedSinceApply(obj, live, versions.get(key)), `${obj.kind}/${obj.metadata.name}`).toBe(true);
    }
  });

  it('still reports a modified spec, an added label and a label removed by another writer (dry-runs only for those)', async () => {
    const target = smallTarget(undefined, { stores: 2 });
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    const policies = [...target.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy');
    const [edited, labelled, stripped] = [policies[0]!, policies[1]!, policies[2]!];
    const live = async (o: KubeObject): Promise<KubeObject> => (await client.get(idOfObj(o)))!;
    const e = await live(edited);
    await client.replace({ ...e, spec: { ...(e as unknown as { spec: object }).spec, podSelector: {} } }, { fieldManager: 'kubectl-edit' });
    const l = await live(labelled);
    await client.replace({ ...l, metadata: { ...l.metadata, labels: { ...l.metadata.labels, debug: 'true' } } }, { fieldManager: 'kubectl-label' });
    const s = await live(stripped);
    const { ['app.kubernetes.io/managed-by']: _gone, ...rest } = s.metadata.labels ?? {};
    await client.replace({ ...s, metadata: { ...s.metadata, labels: rest } }, { fieldManager: 'kubectl-edit' });

    const predictor = new CountingPredictor(client);
    const pass = await reconcileOnce(client, predictor, target, { write: false });
    const drifted = pass.report.items.map((i) => i.id.name).sort();
    expect(drifted).toEqual([edited, labelled, stripped].map((o) => o.metadata.name).sort());
    expect(predictor.asked.sort()).toEqual([edited, labelled, stripped].map((o) => `NetworkPolicy/${o.metadata.name}`).sort());
  });

  it('does not trust an object whose desired hash changed in Git (a removed rule is drift)', async () => {
    const before = smallTarget(undefined, { stores: 2 });
    await reconcileOnce(client, new Predictor(client), before, { write: true });
    const after = smallTarget(before.suffix, { stores: 1 }, 'rev-2');
    const predictor = new CountingPredictor(client);
    const pass = await reconcileOnce(client, predictor, after, { write: false });
    const ns = `agents-${before.suffix}`;
    // The rule for the removed store is drift in the agent's egress; its ingress policy is left to prune;
    // every object whose source annotation (constructs) changed gets a dry-run, nothing else does.
    expect(pass.report.items.map((i) => `${i.kind} ${i.id.kind}/${i.id.name}`)).toEqual([
      `modified Namespace/${ns}`, 'modified NetworkPolicy/agent-egress', 'modified NetworkPolicy/palisade-allow-dns',
      'modified NetworkPolicy/palisade-default-deny', 'unpruned NetworkPolicy/store-1-ingress',
    ]);
    expect(pass.report.items.find((i) => i.id.name === 'agent-egress')?.fields.map((f) => f.pointer)).toContain('/spec/egress/3');
    expect(predictor.asked.sort()).toEqual([`Namespace/${ns}`, 'NetworkPolicy/agent-egress', 'NetworkPolicy/palisade-allow-dns', 'NetworkPolicy/palisade-default-deny']);
  });
});
