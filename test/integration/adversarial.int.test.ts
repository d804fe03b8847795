/**
 * Adversarial drift: every tamper is made by `mallory`, a separate identity (kubectl --as) with the
 * RBAC the threat model gives an attacker: create, patch and delete NetworkPolicies in the governed
 * namespaces, patch its agent Namespace, any field manager name, label or annotation, and nothing in
 * palisade-system. Each tamper must be reported by a drift check in a new process's shoes (a fresh
 * Predictor: no cache), named, with the other writer where managedFields tell (a removed field and
 * a write under palisade's own manager name leave no other writer to name); corrected by one
 * `reconcile --once` pass; and the next drift check must be clean.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ANNOTATIONS } from '../../lib/core/labels.js';
import { idOf, keyOf, type KubeObject } from '../../lib/core/resource-id.js';
import pino from 'pino';
import { ClusterController } from '../../reconciler/engine/controller.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Metrics } from '../../reconciler/engine/telemetry.js';
import { applySetId, PART_OF_LABEL } from '../../reconciler/inventory/inventory.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { withDesiredHash } from '../../reconciler/observe/untouched.js';
import type { DriftKind } from '../../reconciler/report/index.js';
import { eventually, testClient, uniqueName } from '../support/cluster.js';
import { smallDefinition, smallTarget } from '../support/targets.js';
import { synthesize } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { desiredFrom } from '../../reconciler/source/desired.js';
import { skipWithout } from '../support/tools.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { makeSource } from '../support/source.js';

const run = promisify(execFile);
const client = testClient();
const MALLORY = 'mallory@example.com';

/** kubectl as mallory (impersonated by the admin kubeconfig), with optional stdin. */
async function asMallory(args: readonly string[], stdin?: string): Promise<string> {
  const p = run('kubectl', ['--kubeconfig', inject('kubeconfig'), '--as', MALLORY, ...args]);
  if (stdin !== undefined) { p.child.stdin?.write(stdin); p.child.stdin?.end(); }
  return (await p).stdout;
}

/**
 * mallory's rights, as the threat model gives an attacker: every policy kind in the target's
 * namespaces (Kubernetes, Cilium, Calico), and its agent Namespace's labels.
 */
async function grantMallory(suffix: string): Promise<void> {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const subjects = [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }];
  for (const ns of [`agents-${suffix}`, `tools-${suffix}`]) {
    await client.apply({ apiVersion: rbac, kind: 'Role', metadata: { name: 'mallory', namespace: ns }, rules: [{ apiGroups: ['networking.k8s.io', 'cilium.io', 'projectcalico.org'], resources: ['networkpolicies', 'ciliumnetworkpolicies', 'networksets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] });
    await client.apply({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'mallory', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'mallory' }, subjects });
  }
  await client.apply({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `mallory-${suffix}` }, rules: [{ apiGroups: [''], resources: ['namespaces'], resourceNames: [`agents-${suffix}`], verbs: ['get', 'patch', 'update'] }] });
  await client.apply({ apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: `mallory-${suffix}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `mallory-${suffix}` }, subjects });
}

const yamlOf = (o: unknown): string => JSON.stringify(o);
const np = (ns: string, name: string, spec: unknown, metadata: Record<string, unknown> = {}): string => yamlOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns, ...metadata }, spec });
const allowAll = { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] };
const get = async (ns: string, name: string): Promise<KubeObject | undefined> => client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name });

interface Tamper {
  readonly name: string;
  /** Object the drift report must name, and how. */
  readonly expect: { readonly object: (s: string) => string; readonly kind: DriftKind; readonly manager?: string };
  /** `s`: the suffix of the target's namespaces; `cluster`: its name (the ApplySet id derives from it). */
  readonly act: (s: string, cluster: string) => Promise<unknown>;
}

const A = (s: string): string => `agents-${s}`;
const T = (s: string): string => `tools-${s}`;

const TAMPERS: readonly Tamper[] = [
  { name: 'an allow-all NetworkPolicy wearing palisade\'s ApplySet and managed-by labels', expect: { object: () => 'forged', kind: 'foreign' },
    act: (s, cluster) => asMallory(['apply', '-f', '-'], np(A(s), 'forged', allowAll, { labels: { [PART_OF_LABEL]: applySetId(cluster), 'app.kubernetes.io/managed-by': 'palisade' } })) },
  { name: 'an allow-all NetworkPolicy with a desired hash and source annotations copied off palisade\'s', expect: { object: () => 'copied-hash', kind: 'foreign' },
    act: async (s) => { const dd = (await get(A(s), 'palisade-default-deny'))!; return asMallory(['apply', '-f', '-'], np(A(s), 'copied-hash', allowAll, { labels: dd.metadata.labels, annotations: dd.metadata.annotations })); } },
  { name: 'field-manager impersonation: server-side apply as "palisade" of default-deny with ingress/egress [{}], annotations kept', expect: { object: () => 'palisade-default-deny', kind: 'modified' },
    act: async (s) => { const dd = (await get(A(s), 'palisade-default-deny'))!; return asMallory(['apply', '--server-side', '--field-manager=palisade', '--force-conflicts', '-f', '-'], np(A(s), 'palisade-default-deny', { ...(dd['spec'] as object), ingress: [{}], egress: [{}] }, { labels: dd.metadata.labels, annotations: dd.metadata.annotations })); } },
  { name: 'field-manager impersonation: apply as "palisade" moving the agent\'s egress to another port', expect: { object: () => 'agent-egress', kind: 'modified' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'agent-egress', '-n', A(s), '--field-manager=palisade', '--type=json', '-p', '[{"op":"replace","path":"/spec/egress/0/ports/0/port","value":9999}]']) },
  { name: 'the ApplySet label stripped from palisade-default-deny', expect: { object: () => 'palisade-default-deny', kind: 'modified' },
    act: (s) => asMallory(['label', 'networkpolicy', 'palisade-default-deny', '-n', A(s), `${PART_OF_LABEL}-`]) },
  { name: 'every palisade label stripped from agent-egress', expect: { object: () => 'agent-egress', kind: 'modified' },
    act: (s) => asMallory(['label', 'networkpolicy', 'agent-egress', '-n', A(s), `${PART_OF_LABEL}-`, 'app.kubernetes.io/managed-by-']) },
  { name: 'default-deny narrowed to pods nobody runs (podSelector)', expect: { object: () => 'palisade-default-deny', kind: 'modified', manager: 'kubectl-patch' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'palisade-default-deny', '-n', A(s), '--type=merge', '-p', '{"spec":{"podSelector":{"matchLabels":{"nobody":"runs-this"}}}}']) },
  { name: 'default-deny reduced to Ingress (policyTypes)', expect: { object: () => 'palisade-default-deny', kind: 'modified', manager: 'kubectl-patch' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'palisade-default-deny', '-n', A(s), '--type=merge', '-p', '{"spec":{"policyTypes":["Ingress"]}}']) },
  { name: 'namespaceSelector: {} added to the agent\'s egress', expect: { object: () => 'agent-egress', kind: 'modified', manager: 'kubectl-patch' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'agent-egress', '-n', A(s), '--type=json', '-p', '[{"op":"add","path":"/spec/egress/-","value":{"to":[{"namespaceSelector":{}}]}}]']) },
  { name: 'a port range (endPort) on the agent\'s egress', expect: { object: () => 'agent-egress', kind: 'modified', manager: 'kubectl-patch' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'agent-egress', '-n', A(s), '--type=json', '-p', '[{"op":"add","path":"/spec/egress/0/ports/0/endPort","value":65535}]']) },
  { name: 'an ipBlock 0.0.0.0/0 peer on the agent\'s egress', expect: { object: () => 'agent-egress', kind: 'modified', manager: 'kubectl-patch' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'agent-egress', '-n', A(s), '--type=json', '-p', '[{"op":"add","path":"/spec/egress/-","value":{"to":[{"ipBlock":{"cidr":"0.0.0.0/0"}}]}}]']) },
  { name: 'the internet as two /1 ipBlocks on a foreign policy', expect: { object: () => 'halves', kind: 'foreign' },
    act: (s) => asMallory(['apply', '-f', '-'], np(A(s), 'halves', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1' } }] }], policyTypes: ['Egress'] })) },
  { name: 'palisade-default-deny deleted', expect: { object: () => 'palisade-default-deny', kind: 'missing' },
    act: (s) => asMallory(['delete', 'networkpolicy', 'palisade-default-deny', '-n', A(s)]) },
  { name: 'the tool\'s ingress deleted and re-created by mallory with another spec (same name, new UID)', expect: { object: () => 'tool-ingress', kind: 'modified', manager: 'kubectl-client-side-apply' },
    act: async (s) => { await asMallory(['delete', 'networkpolicy', 'tool-ingress', '-n', T(s)]); return asMallory(['apply', '-f', '-'], np(T(s), 'tool-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] })); } },
  { name: 'an allow-all ingress policy in the tool\'s namespace', expect: { object: () => 'open-tool', kind: 'foreign' },
    act: (s) => asMallory(['apply', '-f', '-'], np(T(s), 'open-tool', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] })) },
  { name: 'palisade\'s rule annotation rewritten on default-deny', expect: { object: () => 'palisade-default-deny', kind: 'modified', manager: 'kubectl-annotate' },
    act: (s) => asMallory(['annotate', '--overwrite', 'networkpolicy', 'palisade-default-deny', '-n', A(s), `${ANNOTATIONS.rule}=nothing-to-see`]) },
  { name: 'a copied desired hash on a modified agent egress (hash forgery)', expect: { object: () => 'agent-egress', kind: 'modified', manager: 'kubectl-patch' },
    act: async (s) => { const e = (await get(A(s), 'agent-egress'))!; const hash = e.metadata.annotations?.[ANNOTATIONS.desiredHash] ?? ''; return asMallory(['patch', 'networkpolicy', 'agent-egress', '-n', A(s), '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/egress/-', value: {} }, { op: 'replace', path: `/metadata/annotations/${ANNOTATIONS.desiredHash.replace('/', '~1')}`, value: hash }])]); } },
  { name: 'a system-sounding manager name (kube-controller-manager) adding an ingress rule', expect: { object: () => 'palisade-default-deny', kind: 'modified', manager: 'kube-controller-manager' },
    act: (s) => asMallory(['patch', 'networkpolicy', 'palisade-default-deny', '-n', A(s), '--field-manager=kube-controller-manager', '--type=merge', '-p', '{"spec":{"ingress":[{}]}}']) },
  { name: 'the agent-namespace label stripped from the Namespace (guardrails select it)', expect: { object: (s) => A(s), kind: 'modified' },
    act: (s) => asMallory(['label', 'namespace', A(s), 'palisade.dev/agent-namespace-']) },
  { name: 'Pod Security pinned to an old, laxer version on the agent Namespace (a label palisade does not declare)', expect: { object: (s) => A(s), kind: 'modified', manager: 'kubectl-label' },
    act: (s) => asMallory(['label', 'namespace', A(s), 'pod-security.kubernetes.io/enforce-version=v1.0']) },
  { name: 'a foreign policy selecting the agent by its labels, from everywhere', expect: { object: () => 'agent-from-anywhere', kind: 'foreign' },
    act: (s) => asMallory(['apply', '-f', '-'], np(A(s), 'agent-from-anywhere', { podSelector: { matchLabels: { app: 'agent' } }, ingress: [{ from: [{ namespaceSelector: {} }] }], policyTypes: ['Ingress'] })) },
  { name: 'a server-side apply as "palisade" that takes over agent-egress and drops its rules', expect: { object: () => 'agent-egress', kind: 'modified' },
    act: async (s) => { const e = (await get(A(s), 'agent-egress'))!; return asMallory(['apply', '--server-side', '--field-manager=palisade', '--force-conflicts', '-f', '-'], np(A(s), 'agent-egress', { podSelector: (e['spec'] as { podSelector: unknown }).podSelector, egress: [{}], policyTypes: ['Egress'] }, { labels: e.metadata.labels, annotations: e.metadata.annotations })); } },
];

describe.skipIf(skipWithout('kubectl'))('adversarial drift by a principal with namespace RBAC (kubectl --as)', () => {
  beforeAll(async () => {
    const s = smallTarget();
    await reconcileOnce(client, new Predictor(client), s, { write: true });
    await grantMallory(s.suffix);
    // The threat model: mallory cannot write palisade's own namespace (inventory, lease).
    const canI = (verb: string, res: string, ns: string): Promise<string> => run('kubectl', ['--kubeconfig', inject('kubeconfig'), 'auth', 'can-i', verb, res, '-n', ns, '--as', MALLORY]).then((r) => r.stdout.trim(), (e: { stdout: string }) => e.stdout.trim());
    expect(await canI('update', 'configmaps', 'palisade-system')).toBe('no');
    expect(await canI('patch', 'networkpolicies', `agents-${s.suffix}`)).toBe('yes');
  });

  it('has at least 20 tampers', () => {
    expect(TAMPERS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(TAMPERS.map((t) => [t.name, t] as const))('%s: reported, corrected in one pass, then clean', async (_name, t) => {
    const target = smallTarget();
    const s = target.suffix;
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    await grantMallory(s);
    await t.act(s, target.spec.name);

    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    const item = drift.report.items.find((i) => i.id.name === t.expect.object(s));
    expect(drift.report.items.map((i) => `${i.kind} ${i.id.kind}/${i.id.name}`), 'drift report').toContain(`${t.expect.kind} ${item?.id.kind ?? '?'}/${t.expect.object(s)}`);
    if (t.expect.manager) expect(item?.fields.map((f) => f.manager), 'other writer').toContain(t.expect.manager);

    const fix = await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(fix.result?.entries.filter((e) => e.action === 'failed'), 'failed writes').toEqual([]);
    expect(fix.report.items.find((i) => i.id.name === t.expect.object(s))?.corrected, 'corrected').toBe(true);

    const after = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(after.report.items.map((i) => `${i.kind} ${i.id.kind}/${i.id.name}`), 'drift after correction').toEqual([]);
    for (const obj of target.desired.objects.values()) {
      expect(await client.get({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) }), `${obj.kind}/${obj.metadata.name} exists`).toBeDefined();
    }
  });
});

describe.skipIf(skipWithout('kubectl'))('adversarial drift in watch mode', () => {
  it.each(TAMPERS.map((t) => [t.name, t] as const))('%s: corrected by the running reconciler without another pass', async (_name, t) => {
    const target = smallTarget();
    const s = target.suffix;
    const controller = new ClusterController(client, target, { metrics: new Metrics(), log: pino({ level: process.env['ADV_LOG'] ?? 'silent' }), resyncMs: 0 });
    await controller.start();
    try {
      await grantMallory(s);
      await t.act(s, target.spec.name);
      // Liveness, not speed (speed is bench:reconciler's): the reconciler corrects it on its own...
      const want = ({ foreign: 'foreign-removed', modified: 'drift', missing: 'recreated', unpruned: 'pruned', fight: 'drift' } as const)[t.expect.kind];
      await eventually(() => Promise.resolve(controller.corrections.map((c) => c.kind)), (k) => k.includes(want), 20_000);
      // ...and the cluster is then clean.
      await eventually(async () => (await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items.map((i) => `${i.kind} ${i.id.kind}/${i.id.name}`), (items) => items.length === 0, 20_000);
    } finally {
      controller.stop();
    }
  });
});

describe.skipIf(skipWithout('kubectl'))('a relaxed admission binding (set-type list owned by another manager)', () => {
  it('Deny → Warn by another identity is reported and undone in one pass', async () => {
    const base = smallTarget();
    const s = base.suffix;
    const setId = applySetId(base.spec.name);
    const admission = 'admissionregistration.k8s.io/v1';
    const member = (o: KubeObject): KubeObject => withDesiredHash({ ...o, metadata: { ...o.metadata, labels: { [PART_OF_LABEL]: setId } } });
    const vap = member({ apiVersion: admission, kind: 'ValidatingAdmissionPolicy', metadata: { name: `palisade-adv-${s}` }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }, validations: [{ expression: '!has(object.spec.hostNetwork) || !object.spec.hostNetwork' }] } });
    const binding = member({ apiVersion: admission, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: `palisade-adv-${s}` }, spec: { policyName: `palisade-adv-${s}`, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `agents-${s}` } } } } });
    const objects = new Map(base.desired.objects);
    for (const o of [vap, binding]) objects.set(keyOf(idOf(o)), o);
    const target = { ...base, desired: { ...base.desired, objects, admissionPolicies: [vap.metadata.name] } };
    await reconcileOnce(client, new Predictor(client), target, { write: true });

    const rbac = 'rbac.authorization.k8s.io/v1';
    await client.apply({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `mallory-vapb-${s}` }, rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingadmissionpolicybindings'], resourceNames: [binding.metadata.name], verbs: ['get', 'patch'] }] });
    await client.apply({ apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: `mallory-vapb-${s}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `mallory-vapb-${s}` }, subjects: [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }] });
    await asMallory(['patch', 'validatingadmissionpolicybinding', binding.metadata.name, '--type=merge', '-p', '{"spec":{"validationActions":["Warn"]}}']);

    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    const item = drift.report.items.find((i) => i.id.name === binding.metadata.name);
    expect(item?.kind).toBe('modified');
    expect(item?.fields.map((f) => `${f.pointer} ${JSON.stringify(f.after)} ${f.manager ?? ''}`)).toContain('/spec/validationActions/0 "Warn" kubectl-patch');
    const fix = await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(fix.report.failures).toEqual([]);
    const live = await client.get(idOf(binding));
    expect((live?.['spec'] as { validationActions: string[] }).validationActions).toEqual(['Deny']);
    expect((await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items).toEqual([]);
  });
});

/** A small target on another dataplane: its enforced kinds are listed, watched and removed when foreign. */
function backendTarget(network: 'cilium' | 'calico'): ReturnType<typeof smallTarget> {
  const s = uniqueName('b').slice(2);
  const spec = testCluster({ name: `it-${s}`, network, admission: 'kyverno' });
  const desired = desiredFrom(synthesize(smallDefinition(s), spec), 'rev-1');
  // Cluster-scoped objects have fixed names (tiers, global policies, admission): keep the namespaced ones.
  const objects = new Map([...desired.objects].filter(([, o]) => o.metadata.namespace !== undefined || o.kind === 'Namespace'));
  return { suffix: s, spec, desired: { ...desired, objects, admissionPolicies: [], kyvernoPolicies: [] }, probes: [] };
}

describe.skipIf(skipWithout('kubectl'))('foreign objects of every kind each dataplane enforces', () => {
  it.each([
    ['cilium', [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cnp-open' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['world'] }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np-open' }, spec: { podSelector: {}, egress: [{}], policyTypes: ['Egress'] } },
    ]],
    ['calico', [
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico-open' }, spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np-open' }, spec: { podSelector: {}, egress: [{}], policyTypes: ['Egress'] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'everything', labels: { app: 'agent' } }, spec: { nets: ['0.0.0.0/0'] } },
      // Rules the analysis engine reads as matching no IPv4 traffic or does not model: never taken for narrowing-only.
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico-ipv6-open' }, spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', ipVersion: 6 }] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico-service-open' }, spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'kubernetes', namespace: 'default' } } }] } },
    ]],
  ] as const)('%s: created by mallory, reported as foreign and removed in one pass', async (network, foreign) => {
    const target = backendTarget(network);
    const s = target.suffix;
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    await grantMallory(s);
    for (const f of foreign) await asMallory(['create', '-f', '-'], JSON.stringify({ ...f, metadata: { ...f.metadata, namespace: A(s) } }));
    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    const names = foreign.map((f) => f.metadata.name).sort();
    expect(drift.report.items.filter((i) => i.kind === 'foreign').map((i) => i.id.name).sort()).toEqual(names);
    const fix = await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(fix.result?.entries.filter((e) => e.action === 'removed').map((e) => e.id.name).sort()).toEqual(names);
    for (const f of foreign) expect(await client.get({ apiVersion: f.apiVersion, kind: f.kind, namespace: A(s), name: f.metadata.name }), f.kind).toBeUndefined();
    expect((await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items).toEqual([]);
  });
});

/**
 * Cluster-scoped policies of the kinds a dataplane enforces (CiliumClusterwideNetworkPolicy,
 * Calico GlobalNetworkPolicy), created by another identity with cluster-wide rights to them: one
 * whose subject includes a governed namespace is foreign and removed; one that provably selects
 * other namespaces only is none of palisade's business and is left alone.
 */
describe.skipIf(skipWithout('kubectl'))('foreign cluster-scoped policies selecting governed namespaces', () => {
  async function grantClusterPolicies(s: string): Promise<void> {
    const rbac = 'rbac.authorization.k8s.io/v1';
    await client.apply({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `mallory-global-${s}` }, rules: [{ apiGroups: ['cilium.io', 'projectcalico.org'], resources: ['ciliumclusterwidenetworkpolicies', 'globalnetworkpolicies'], verbs: ['create', 'get'] }] });
    await client.apply({ apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: `mallory-global-${s}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `mallory-global-${s}` }, subjects: [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }] });
  }

  it.each([
    ['cilium', (s: string) => [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `open-${s}` }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': A(s) } }, egress: [{ toEntities: ['world'] }] } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `elsewhere-${s}` }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': `web-${s}` } }, egress: [{ toEntities: ['world'] }] } },
    ]],
    ['calico', (s: string) => [
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `open-${s}` }, spec: { namespaceSelector: `kubernetes.io/metadata.name == '${A(s)}'`, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `elsewhere-${s}` }, spec: { namespaceSelector: `kubernetes.io/metadata.name == 'web-${s}'`, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] } },
    ]],
  ] as const)('%s: the one selecting a governed namespace is foreign and removed, the other is kept', async (_network, make) => {
    const target = backendTarget(_network);
    const s = target.suffix;
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    await grantClusterPolicies(s);
    const [open, elsewhere] = make(s);
    for (const f of [open, elsewhere]) await asMallory(['create', '-f', '-'], JSON.stringify(f));
    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    expect(drift.report.items.filter((i) => i.kind === 'foreign').map((i) => `${i.id.kind}/${i.id.name}`)).toEqual([`${open!.kind}/${open!.metadata.name}`]);
    const fix = await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(fix.result?.entries.filter((e) => e.action === 'removed').map((e) => e.id.name)).toEqual([open!.metadata.name]);
    expect(await client.get({ apiVersion: open!.apiVersion, kind: open!.kind, name: open!.metadata.name })).toBeUndefined();
    expect(await client.get({ apiVersion: elsewhere!.apiVersion, kind: elsewhere!.kind, name: elsewhere!.metadata.name })).toBeDefined();
    expect((await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items).toEqual([]);
  });

  it('cilium, watch mode: the running reconciler removes a foreign CCNP selecting a governed namespace', async () => {
    const target = backendTarget('cilium');
    const s = target.suffix;
    const controller = new ClusterController(client, target, { metrics: new Metrics(), log: pino({ level: 'silent' }), resyncMs: 0 });
    await controller.start();
    try {
      await grantClusterPolicies(s);
      const open = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `watched-${s}` }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': A(s) } }, ingress: [{ fromEntities: ['world'] }] } };
      await asMallory(['create', '-f', '-'], JSON.stringify(open));
      await eventually(() => Promise.resolve(controller.corrections.filter((c) => c.kind === 'foreign-removed').map((c) => String(c.key))), (keys) => keys.some((k) => k.endsWith(`/${open.metadata.name}`)), 20_000);
      expect(await client.get({ apiVersion: open.apiVersion, kind: open.kind, name: open.metadata.name })).toBeUndefined();
    } finally {
      controller.stop();
    }
  });
});

/**
 * The same table through the CLI, as CI and on-call run it: whole `palisade drift` and
 * `reconcile --once` processes against a policy repository (protection off, so the tampers land).
 */
describe.skipIf(skipWithout('kubectl'))('adversarial drift through the CLI (processes)', () => {
  interface JsonReport { items: Array<{ kind: string; id: { name: string }; fields: Array<{ manager?: string }>; corrected: boolean }> }

  it.each(TAMPERS.map((t) => [t.name, t] as const))('%s: drift exits 1 naming it, reconcile --once corrects it, drift then exits 0', async (_name, t) => {
    const suffix = uniqueName('c').slice(2);
    const { dir, cluster } = await makeSource(suffix);
    await writeFile(join(dir, 'clusters', cluster, 'cluster.yaml'), 'network: kubernetes\nadmission: kyverno\nprotect: false\n');
    const cli = (...a: string[]): ReturnType<typeof runCli> => runCli([...a, '--source', dir, '-c', cluster, '--kubeconfig', inject('kubeconfig')]);
    const applied = await cli('reconcile', '--once');
    expect(applied.code, applied.stderr).toBe(0);
    await grantMallory(suffix);
    await t.act(suffix, cluster);

    const drift = await cli('drift', '-f', 'json');
    expect(drift.code, drift.stderr).toBe(1);
    const [report] = JSON.parse(drift.stdout) as JsonReport[];
    const item = report?.items.find((i) => i.id.name === t.expect.object(suffix));
    expect(report?.items.map((i) => `${i.kind} ${i.id.name}`), 'drift report').toContain(`${t.expect.kind} ${t.expect.object(suffix)}`);
    if (t.expect.manager) expect(item?.fields.map((f) => f.manager), 'other writer').toContain(t.expect.manager);

    const fix = await cli('reconcile', '--once', '-f', 'json');
    expect(fix.code, fix.stderr).toBe(0);
    expect((JSON.parse(fix.stdout) as JsonReport[])[0]?.items.find((i) => i.id.name === t.expect.object(suffix))?.corrected, 'corrected').toBe(true);
    const clean = await cli('drift');
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('no drift');
  });
});

describe.skipIf(skipWithout('kubectl'))('a flood of foreign policies (the removal cap is no way to switch correction off)', () => {
  it('removes 60 allow-all policies mallory adds to a namespace palisade already governs, above the cap of 50, with no refusal', async () => {
    const target = smallTarget();
    const s = target.suffix;
    await reconcileOnce(client, new Predictor(client), target, { write: true });
    await grantMallory(s);
    const flood = Array.from({ length: 60 }, (_, i) => JSON.parse(np(`agents-${s}`, `open-${i}`, allowAll)) as unknown);
    await asMallory(['apply', '-f', '-'], yamlOf({ apiVersion: 'v1', kind: 'List', items: flood }));
    expect((await client.list('networking.k8s.io/v1', 'NetworkPolicy', { namespace: `agents-${s}` })).filter((o) => o.metadata.name.startsWith('open-'))).toHaveLength(60);
    const pass = await reconcileOnce(client, new Predictor(client), target, { write: true });
    expect(pass.report.refusal).toBeUndefined();
    expect(pass.report.items.filter((i) => i.kind === 'foreign' && i.corrected)).toHaveLength(60);
    expect((await client.list('networking.k8s.io/v1', 'NetworkPolicy', { namespace: `agents-${s}` })).filter((o) => o.metadata.name.startsWith('open-'))).toEqual([]);
  });
});
