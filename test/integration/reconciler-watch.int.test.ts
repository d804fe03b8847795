/**
 * Watch mode against the real API server: each kind of tampering is detected from the watch
 * stream and corrected; the lease lets only one replica lead.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ClusterController } from '../../reconciler/engine/controller.js';
import { LeaderLease } from '../../reconciler/engine/lease.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Metrics } from '../../reconciler/engine/telemetry.js';
import { Watcher } from '../../reconciler/engine/watcher.js';
import { inventoryNamespace } from '../../reconciler/inventory/inventory.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { eventually, testClient, uniqueName } from '../support/cluster.js';
import { smallTarget } from '../support/targets.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const client = testClient();
const target = smallTarget();
const ns = `agents-${target.suffix}`;
const egressId = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name: 'agent-egress' };
let controller: ClusterController;
const metrics = new Metrics();

/** No drift left for the whole target (a report-only pass with fresh predictions). */
async function converged(): Promise<boolean> {
  const pass = await reconcileOnce(client, new Predictor(client), target, { write: false });
  return pass.report.items.length === 0;
}

async function tamperAndWait(tamper: () => Promise<unknown>, correctedKind: string): Promise<void> {
  const before = controller.corrections.length;
  await tamper();
  await eventually(() => Promise.resolve(controller.corrections.slice(before).map((c) => c.kind)), (kinds) => kinds.includes(correctedKind as never), 10_000);
  expect(await eventually(converged, (ok) => ok, 10_000)).toBe(true);
}

beforeAll(async () => {
  // These tests tamper with one object many times in a minute: raise the fight threshold.
  controller = new ClusterController(client, target, { metrics, log: pino({ level: process.env['TEST_LOG'] ?? 'silent' }), fight: { threshold: 50 } });
  await controller.start();
});

afterAll(() => controller.stop());

describe.skipIf(skipWithout('kubectl'))('reconcile --watch corrects', () => {
  it('a changed field', async () => {
    await tamperAndWait(async () => {
      const live = (await client.get(egressId))!;
      const spec = live['spec'] as { podSelector: unknown };
      await client.replace({ ...live, spec: { ...spec, podSelector: { matchLabels: { app: 'someone-else' } } } }, { fieldManager: 'kubectl-edit' });
    }, 'drift');
  });

  it('a field Git does not declare (exclusive ownership)', async () => {
    await tamperAndWait(async () => {
      const live = (await client.get(egressId))!;
      await client.replace({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, sneaky: 'yes' } } }, { fieldManager: 'kubectl-label' });
    }, 'drift');
    expect((await client.get(egressId))?.metadata.labels?.['sneaky']).toBeUndefined();
  });

  it('a deleted object', async () => {
    await tamperAndWait(() => client.delete(egressId), 'recreated');
  });

  it('a label change that widens a selector', async () => {
    await tamperAndWait(async () => {
      const live = (await client.get(egressId))!;
      const spec = live['spec'] as { podSelector: unknown; egress: Array<{ to: Array<Record<string, unknown>> }> };
      const egress = spec.egress.map((rule) => ({ ...rule, to: rule.to.map((peer) => ('podSelector' in peer ? { ...peer, podSelector: {} } : peer)) }));
      await client.replace({ ...live, spec: { ...spec, egress } }, { fieldManager: 'kubectl-edit' });
    }, 'drift');
  });

  it('a takeover by kubectl apply --server-side --force-conflicts', async () => {
    await tamperAndWait(async () => {
      const live = (await client.get(egressId))!;
      const manifest = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'agent-egress', namespace: ns }, spec: { ...(live['spec'] as object), egress: [{}] } });
      const child = run('kubectl', ['--kubeconfig', inject('kubeconfig'), 'apply', '--server-side', '--force-conflicts', '--field-manager=attacker', '-f', '-']);
      child.child.stdin?.end(manifest);
      await child;
    }, 'drift');
    const last = controller.corrections.at(-1)!;
    expect(last.fields.some((f) => f.manager === 'attacker')).toBe(true);
  });

  it('a foreign allow-all NetworkPolicy in a managed namespace', async () => {
    const name = uniqueName('allow-all');
    await tamperAndWait(() => client.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] } }, { fieldManager: 'kubectl' }), 'foreign-removed');
    expect(await client.get({ ...egressId, name })).toBeUndefined();
  });

  it('and records each correction as a metric and a Kubernetes Event', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(new RegExp(`palisade_drift_corrections_total\\{cluster="${target.spec.name}",kind="NetworkPolicy",drift="drift"\\} [1-9]`));
    const events = await eventually(() => client.list('v1', 'Event', { namespace: ns }), (evs) => evs.some((e) => e['reason'] === 'DriftCorrected'));
    expect(events.find((e) => e['reason'] === 'DriftCorrected')?.['message']).toMatch(/palisade corrected/);
  });
});

describe('a fight with another controller', () => {
  it('is detected, surfaced as an Event and a metric, and corrections slow down but never stop', async () => {
    const t = smallTarget();
    const m = new Metrics();
    const c = new ClusterController(client, t, { metrics: m, log: pino({ level: 'silent' }), fight: { threshold: 3, windowMs: 60_000, baseBackoffMs: 3_000 } });
    await c.start();
    try {
      const id = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${t.suffix}`, name: 'agent-egress' };
      for (let i = 0; i < 5; i++) {
        const before = c.corrections.length;
        const live = (await client.get(id))!;
        await client.replace({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, flip: String(i) } } }, { fieldManager: 'other-controller' });
        if (i < 3) await eventually(() => Promise.resolve(c.corrections.length), (n) => n > before, 10_000);
        else await new Promise((r) => setTimeout(r, 300));
      }
      // The third correction crossed the threshold: the fourth and fifth edits wait out the backoff...
      expect(c.corrections).toHaveLength(3);
      expect(await m.registry.metrics()).toMatch(new RegExp(`palisade_fights_total\\{cluster="${t.spec.name}",kind="NetworkPolicy"\\} 1`));
      const events = await client.list('v1', 'Event', { namespace: `agents-${t.suffix}` });
      expect(events.filter((e) => e['reason'] === 'FightDetected').map((e) => (e['involvedObject'] as { name: string }).name)).toEqual(['agent-egress']);
      // A drift check (another process) reports the fight as a finding naming the other writer.
      const drift = await reconcileOnce(client, new Predictor(client), t, { write: false });
      expect(drift.report.items.filter((i) => i.kind === 'fight').map((i) => [i.id.name, /other-controller keeps changing it/.test(i.detail ?? '')])).toEqual([['agent-egress', true]]);
      // ...then the re-check queued for the end of the backoff corrects the last edit.
      expect((await client.get(id))?.metadata.labels?.['flip']).toBe('4');
      // (The object is written before the pass returns and records the correction: wait for the record.)
      await eventually(() => Promise.resolve(c.corrections.length), (n) => n >= 4, 10_000);
      expect(c.corrections).toHaveLength(4);
      expect((await client.get(id))?.metadata.labels?.['flip']).toBeUndefined();
    } finally {
      c.stop();
    }
  });
});

describe('leader election', () => {
  it('lets one replica hold the lease until it expires', async () => {
    await client.apply(inventoryNamespace());
    const name = uniqueName('lease');
    const a = new LeaderLease(client, { name, identity: 'replica-a', durationSeconds: 2 });
    const b = new LeaderLease(client, { name, identity: 'replica-b', durationSeconds: 2 });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire(new Date(Date.now() + 3000))).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
  });
});

describe('watches of a kind the cluster does not serve', () => {
  it('start without failing and pick the kind up once its CRD is installed', async () => {
    const group = `${uniqueName('late')}.palisade.test`;
    const logs: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => { logs.push(l); } });
    const seen: string[] = [];
    const watcher = new Watcher(client, log, (_type, obj) => seen.push(obj.metadata.name));
    try {
      // As on a cluster without the Kyverno PolicyException CRD: the watch must not throw.
      await watcher.start({ apiVersion: `${group}/v1`, kind: 'Widget' });
      expect(logs.some((l) => l.includes('kind not served; watching it once it is'))).toBe(true);
      await client.apply({
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets.${group}` },
        spec: { group, scope: 'Cluster', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
      });
      await eventually(async () => {
        await client.apply({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' } }).catch(() => undefined);
        return seen;
      }, (s) => s.includes('w1'), 30_000);
    } finally {
      watcher.stop();
    }
  });
});
