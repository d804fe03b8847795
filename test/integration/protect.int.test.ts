/**
 * Drift prevented at admission (issue 15): the protection ValidatingAdmissionPolicy palisade emits
 * for a cluster (`protect`, on by default) is applied by reconcile --once to the real API server,
 * which then judges every write: mallory (kubectl --as, RBAC on policies in the governed
 * namespaces) is refused, with a message naming the repository and the break-glass group; the
 * reconciler's own ServiceAccount and the break-glass group are let through; a namespace palisade
 * does not govern is untouched; and palisade still corrects drift on its next pass.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROTECT } from '../../lib/cluster/cluster-spec.js';
import { synthesize } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';
import { pino } from 'pino';
import { DenialMonitor } from '../../reconciler/engine/denial-monitor.js';
import { Metrics } from '../../reconciler/engine/telemetry.js';
import { readDenials } from '../../reconciler/observe/denials.js';
import { eventually, testClient, uniqueName } from '../support/cluster.js';
import { smallDefinition } from '../support/targets.js';
import { skipWithout } from '../support/tools.js';
import { kubectlAs } from '../support/kubectl-as.js';

const client = testClient();
const MALLORY = 'mallory@example.com';
const RECONCILER = 'system:serviceaccount:palisade-system:palisade-reconciler';

async function grant(user: string, namespaces: readonly string[]): Promise<void> {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const name = `policy-writer-${user.replace(/[^a-z0-9]/g, '-')}`.slice(0, 60);
  for (const ns of namespaces) {
    await client.apply({ apiVersion: rbac, kind: 'Role', metadata: { name, namespace: ns }, rules: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }] });
    await client.apply({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }] });
  }
}

const allowAll = (ns: string, name: string): string => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] } });

describe.skipIf(skipWithout('kubectl'))('protect: drift prevented at admission', () => {
  const suffix = uniqueName('p').slice(2);
  const agents = `agents-${suffix}`;
  const outside = `unmanaged-${suffix}`;
  let target: ClusterTarget;

  beforeAll(async () => {
    const spec = testCluster({ name: `it-${suffix}`, protect: { ...DEFAULT_PROTECT, repository: 'https://git.example.com/acme/policies' } });
    const desired = desiredFrom(synthesize(smallDefinition(suffix), spec), 'rev-1');
    // The shared API server runs other tests: keep only this cluster's (uniquely named) protection.
    const objects = new Map([...desired.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmission') || o.metadata.name === `palisade-protect-it-${suffix}`));
    target = { spec, desired: { ...desired, objects, admissionPolicies: [`palisade-protect-it-${suffix}`], kyvernoPolicies: [] }, probes: [] };
    const pass = await reconcileOnce(client, new Predictor(client), target, { write: true, allowMassPrune: false });
    expect(pass.report.failures).toEqual([]);
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: outside } });
    await grant(MALLORY, [agents, outside]);
    await grant(RECONCILER, [agents]);
    // The API server enforces a new policy once its informer has it: wait until a probe write is refused.
    await eventually(() => kubectlAs(MALLORY, [], ['apply', '--dry-run=server', '-f', '-'], allowAll(agents, 'probe')), (r) => !r.ok, 30_000);
  });

  it('refuses mallory\'s new allow-all policy in a governed namespace, naming the repository and the break-glass group', async () => {
    const r = await kubectlAs(MALLORY, [], ['apply', '-f', '-'], allowAll(agents, 'open-up'));
    expect(r.ok).toBe(false);
    expect(r.out).toContain('palisade protects networkpolicies');
    expect(r.out).toContain('https://git.example.com/acme/policies');
    expect(r.out).toContain('palisade:break-glass');
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: agents, name: 'open-up' })).toBeUndefined();
  });

  it('refuses mallory\'s edit and deletion of palisade\'s default deny', async () => {
    const patch = await kubectlAs(MALLORY, [], ['-n', agents, 'patch', 'networkpolicy', 'palisade-default-deny', '--type=merge', '-p', '{"spec":{"ingress":[{}]}}']);
    expect(patch.ok).toBe(false);
    expect(patch.out).toContain('palisade protects networkpolicies');
    const del = await kubectlAs(MALLORY, [], ['-n', agents, 'delete', 'networkpolicy', 'palisade-default-deny']);
    expect(del.ok).toBe(false);
    const live = await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: agents, name: 'palisade-default-deny' });
    expect(live?.['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('refuses lifting a pod\'s quarantine to a namespace editor and to the quarantined agent itself, and lets the break-glass group do it', async () => {
    const pod = uniqueName('quarantined');
    const agentSa = `system:serviceaccount:${agents}:agent`;
    await client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: agents, labels: { app: 'agent', 'palisade.dev/quarantine': 'true' } }, spec: { containers: [{ name: 'a', image: 'ghcr.io/acme/a:1' }] } });
    const rbac = 'rbac.authorization.k8s.io/v1';
    await client.apply({ apiVersion: rbac, kind: 'Role', metadata: { name: 'pod-patcher', namespace: agents }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch', 'update'] }] });
    await client.apply({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'pod-patcher', namespace: agents }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-patcher' }, subjects: [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'agent', namespace: agents }] });
    for (const [who, groups] of [[MALLORY, []], [agentSa, []]] as const) {
      const removed = await kubectlAs(who, groups, ['-n', agents, 'label', 'pod', pod, 'palisade.dev/quarantine-']);
      expect(removed.ok, removed.out).toBe(false);
      expect(removed.out).toContain(`pod is quarantined (palisade.dev/quarantine=true) on cluster it-${suffix}`);
      expect(removed.out).toContain(`${who} may not`);
      const flipped = await kubectlAs(who, groups, ['-n', agents, 'label', '--overwrite', 'pod', pod, 'palisade.dev/quarantine=false']);
      expect(flipped.ok).toBe(false);
    }
    // Other edits of a quarantined pod are not this rule's business; the quarantine stays.
    expect((await kubectlAs(MALLORY, [], ['-n', agents, 'label', 'pod', pod, 'note=seen'])).ok).toBe(true);
    const live = await client.get({ apiVersion: 'v1', kind: 'Pod', namespace: agents, name: pod });
    expect((live?.['metadata'] as { labels: Record<string, string> }).labels).toMatchObject({ 'palisade.dev/quarantine': 'true', note: 'seen' });
    const glass = await kubectlAs(MALLORY, ['palisade:break-glass'], ['-n', agents, 'label', 'pod', pod, 'palisade.dev/quarantine-']);
    expect(glass.ok, glass.out).toBe(true);
  });

  it('leaves namespaces palisade does not govern alone', async () => {
    const r = await kubectlAs(MALLORY, [], ['apply', '-f', '-'], allowAll(outside, 'theirs'));
    expect(r.out).toContain('created');
    expect(r.ok).toBe(true);
  });

  it('lets the reconciler\'s ServiceAccount and the break-glass group through', async () => {
    const sa = await kubectlAs(RECONCILER, ['system:serviceaccounts'], ['-n', agents, 'label', 'networkpolicy', 'palisade-default-deny', 'touched-by=reconciler', '--overwrite']);
    expect(sa.out).toMatch(/labeled/);
    expect(sa.ok).toBe(true);
    const glass = await kubectlAs(MALLORY, ['palisade:break-glass'], ['apply', '-f', '-'], allowAll(agents, 'emergency'));
    expect(glass.out).toContain('created');
    expect(glass.ok).toBe(true);
  });

  it('counts the writes it refused (the API server\'s own counter) and reports them as a TamperDenied Event', async () => {
    const metrics = new Metrics();
    const monitor = new DenialMonitor(client, target.spec, { metrics, log: pino({ level: 'silent' }) });
    const before = await monitor.check();
    if (before === undefined || 'error' in before) throw new Error(`no denial count: ${JSON.stringify(before)}`);
    const tamperEvents = async (): Promise<string[]> => (await client.list('v1', 'Event', { namespace: 'palisade-system', labelSelector: `palisade.dev/event=tamper-denied,palisade.dev/cluster=${target.spec.name}` })).map((e) => String(e['message']));
    const eventsBefore = await tamperEvents();
    expect((await kubectlAs(MALLORY, [], ['apply', '-f', '-'], allowAll(agents, 'again'))).ok).toBe(false);
    expect((await kubectlAs(MALLORY, [], ['-n', agents, 'delete', 'networkpolicy', 'palisade-default-deny'])).ok).toBe(false);
    expect(await readDenials(client, target.spec)).toEqual({ policy: `palisade-protect-${target.spec.name}`, denied: before.denied + 2 });
    await monitor.check();
    const fresh = (await tamperEvents()).filter((m) => !eventsBefore.includes(m));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toContain(`admission denied 2 write(s) to objects palisade protects on cluster ${target.spec.name} since the last check`);
    expect((await metrics.registry.getSingleMetricAsString('palisade_admission_denials'))).toContain(`palisade_admission_denials{cluster="${target.spec.name}"} ${before.denied + 2}`);
    // Nothing new, nothing reported.
    await monitor.check();
    expect((await tamperEvents()).length).toBe(eventsBefore.length + 1);
  });

  it('still corrects what got past it (break glass) on the next pass, and does not lock itself out', async () => {
    const pass = await reconcileOnce(client, new Predictor(client), target, { write: true, allowMassPrune: false });
    expect(pass.report.failures).toEqual([]);
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: agents, name: 'emergency' })).toBeUndefined();
  });
});
