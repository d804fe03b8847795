/**
 * A Kyverno PolicyException someone else creates that names a palisade policy exempts workloads
 * from it: drift, reported with the policy it exempts from, and removed on correction. An
 * exception for somebody else's policy is left alone.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { synthesize } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { pino } from 'pino';
import { ClusterController } from '../../reconciler/engine/controller.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Metrics } from '../../reconciler/engine/telemetry.js';
import { isKyvernoPolicy } from '../../reconciler/observe/foreign.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';
import { eventually, testClient } from '../support/cluster.js';
import { smallDefinition } from '../support/targets.js';

const client = testClient();

/** The small organisation with Kyverno admission; cluster-scoped policy names made unique per test. */
function kyvernoTarget(suffix: string): ClusterTarget {
  const spec = testCluster({ name: `it-${suffix}`, network: 'kubernetes', admission: 'kyverno' });
  const result = synthesize(smallDefinition(suffix), spec);
  const objects = result.objects
    .filter((o) => !o.kind.startsWith('ValidatingAdmissionPolicy'))
    .map((o): KubeObject => (isKyvernoPolicy(o) ? { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${suffix}` } } : o));
  return { spec, desired: desiredFrom({ ...result, objects }, 'rev-1'), probes: [] };
}

const exception = (name: string, namespace: string, policy: string): KubeObject => ({
  apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', metadata: { name, namespace },
  spec: { policyRefs: [{ kind: 'ValidatingPolicy', name: policy }], matchConditions: [{ name: 'debug-pods', expression: "object.metadata.name.startsWith('debug-')" }] },
});

describe('foreign Kyverno PolicyExceptions', () => {
  it('are drift when they name a palisade policy, and are removed on correction', async () => {
    const suffix = randomBytes(3).toString('hex');
    const target = kyvernoTarget(suffix);
    const policy = target.desired.kyvernoPolicies.find((p) => p.startsWith('ValidatingPolicy/'))!.split('/')[1]!;
    expect(policy).toContain(suffix);
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    const ns = `agents-${suffix}`;
    await client.apply(exception('break-glass', ns, policy), { fieldManager: 'kubectl' });
    await client.apply(exception('unrelated', ns, 'someone-elses-policy'), { fieldManager: 'kubectl' });

    const check = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(check.report.items).toEqual([expect.objectContaining({ kind: 'foreign', id: expect.objectContaining({ kind: 'PolicyException', name: 'break-glass', namespace: ns }), detail: expect.stringContaining(`ValidatingPolicy/${policy}`) })]);

    await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(await client.get({ apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', namespace: ns, name: 'break-glass' })).toBeUndefined();
    expect(await client.get({ apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', namespace: ns, name: 'unrelated' })).toBeDefined();
    expect((await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items).toEqual([]);
  });

  it('are removed by watch mode as soon as they appear', async () => {
    const suffix = randomBytes(3).toString('hex');
    const target = kyvernoTarget(suffix);
    const policy = target.desired.kyvernoPolicies.find((p) => p.startsWith('ValidatingPolicy/'))!.split('/')[1]!;
    const controller = new ClusterController(client, target, { metrics: new Metrics(), log: pino({ level: 'silent' }), events: false });
    await controller.start();
    try {
      await client.apply(exception('break-glass', `agents-${suffix}`, policy), { fieldManager: 'kubectl' });
      const kinds = await eventually(() => Promise.resolve(controller.corrections.map((c) => c.kind)), (k) => k.includes('foreign-removed'), 10_000);
      expect(kinds).toContain('foreign-removed');
      expect(await client.get({ apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', namespace: `agents-${suffix}`, name: 'break-glass' })).toBeUndefined();
    } finally {
      controller.stop();
    }
  });
});
