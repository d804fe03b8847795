/**
 * Cilium's own policy engine as the oracle for palisade's analyser (issue 13): the template's
 * prod-cilium output and crafted cases go through github.com/cilium/cilium/pkg/policy (parsing,
 * resolution, distillation into the policy map state, lookup as the datapath does it; see
 * test/oracles/cilium-verdict), and every flow's verdict is compared with the analyser's.
 */
import { describe, expect, it } from 'vitest';
import { analyze, synthesizedInput, type Analysis, type Peer, type Workload } from '../../lib/analysis/index.js';
import { silentProgress } from '../../lib/core/progress.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { listClusters, loadCluster, synthesize } from '../../lib/index.js';
import { ensureBinary } from '../../reconciler/controlplane/index.js';
import { definePolicies } from '../../policies/index.js';
import { ciliumKeptLabels, ciliumVerdicts, ciliumVerdictSpec, identityLabels, type OracleFlow } from '../support/cilium-oracle.js';
import { labelFilter } from '../../reconciler/doctor/index.js';
import { intruder, quarantined } from '../policies/invariants.js';
import { REPO_ROOT } from '../support/shared.js';

// Built once by the global setup; this only checks the cached binary.
const binary = await ensureBinary(ciliumVerdictSpec(), { progress: silentProgress });

const CILIUM_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy']);

interface Compared { readonly flows: number; readonly allowed: number; readonly disagreements: string[] }

/** The analyser's verdict of one flow: an allowed connection covering the port, and whether it carries HTTP rules. */
function analyserVerdict(a: Analysis, f: OracleFlow): { allowed: boolean; l7: boolean } {
  const c = a.connections.find((x) => x.src.id === f.from && x.dst.id === f.to && x.conns.ports(f.proto).some(([lo, hi]) => lo <= f.port && f.port <= hi));
  return { allowed: c !== undefined, l7: c?.http !== undefined };
}

/**
 * Every ordered pair of distinct workloads on each port the destination serves, plus one port
 * nobody names; and each workload to and from each cluster entity the policies name (host,
 * remote-node, kube-apiserver: reserved identities in Cilium) on 80 and 9999.
 */
function flowsOf(workloads: readonly Workload[], entities: readonly Peer[] = []): OracleFlow[] {
  const tcp = (from: string, to: string, port: number): OracleFlow => ({ from, to, proto: 'TCP', port });
  return [
    ...workloads.flatMap((src) => workloads.filter((dst) => dst.id !== src.id).flatMap((dst) => [
      ...dst.ports.map((p) => ({ from: src.id, to: dst.id, proto: p.protocol === 'UDP' ? 'UDP' as const : 'TCP' as const, port: p.port })),
      tcp(src.id, dst.id, 9999),
    ])),
    ...workloads.flatMap((w) => entities.flatMap((e) => [80, 9999].flatMap((port) => [tcp(w.id, e.id, port), tcp(e.id, w.id, port)]))),
  ];
}

async function compare(objects: readonly KubeObject[], a: Analysis): Promise<Compared> {
  const flows = flowsOf(a.workloads, a.peers.filter((p) => p.type === 'entity'));
  const verdicts = await ciliumVerdicts(binary, {
    policies: objects.filter((o) => CILIUM_KINDS.has(o.kind)),
    endpoints: a.workloads.map((w) => ({ name: w.id, labels: identityLabels(w) })),
    flows,
  });
  const disagreements: string[] = [];
  let allowed = 0;
  flows.forEach((f, i) => {
    const v = verdicts[i]!;
    const cilium = v.egress && v.ingress;
    const ours = analyserVerdict(a, f);
    if (cilium) allowed += 1;
    if (cilium !== ours.allowed) disagreements.push(`${f.from} -> ${f.to} ${f.proto} ${f.port}: cilium ${cilium ? 'allows' : 'denies'} (egress ${v.egress}, ingress ${v.ingress}), analyser ${ours.allowed ? 'allows' : 'denies'}`);
    // HTTP rules are enforced only where Cilium redirects the flow to its proxy: the analyser must
    // not report a restriction the proxy never sees. (The converse is not checked: a redirect with
    // L7 wildcarded by an L3/L4 rule is decided by the proxy's rule matching, not the map state.)
    if (cilium && ours.l7 && !(v.egressL7 || v.ingressL7)) disagreements.push(`${f.from} -> ${f.to} ${f.proto} ${f.port}: cilium does not redirect to its L7 proxy, analyser reports HTTP rules`);
  });
  return { flows: flows.length, allowed, disagreements };
}

describe('the analyser agrees with Cilium\'s policy engine', () => {
  it('on the template\'s prod-cilium output, flow by flow (intruders in every agent namespace included)', async () => {
    const clusters = `${REPO_ROOT}/clusters`;
    expect(await listClusters(clusters)).toContain('prod-cilium');
    const r = synthesize(definePolicies, await loadCluster(clusters, 'prod-cilium'));
    const intruders = [...new Set(r.model.agents.map((x) => x.namespace))].map(intruder);
    const input = synthesizedInput('prod-cilium', [...r.objects, ...intruders], r.model);
    const a = analyze(input);
    const result = await compare([...r.objects, ...intruders], a);
    process.stderr.write(`cilium oracle: prod-cilium, ${result.flows} flows compared (${result.allowed} allowed by Cilium), ${result.disagreements.length} disagreements\n`);
    expect(result.disagreements).toEqual([]);
    expect(result.allowed).toBeGreaterThan(0);
    expect(result.allowed).toBeLessThan(result.flows);
  });
});

describe('quarantine: Cilium\'s policy engine agrees the quarantined pod is cut off (E1, E5)', () => {
  it('on the template\'s prod-cilium output with a quarantined agent pod and foreign allow-all policies in its namespace', async () => {
    const r = synthesize(definePolicies, await loadCluster(`${REPO_ROOT}/clusters`, 'prod-cilium'));
    const agent = r.model.agents[0]!;
    const ns = agent.namespace;
    const foreign: KubeObject[] = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] } },
      cnp(ns, 'open', { endpointSelector: {}, egress: [{ toEntities: ['all'] }], ingress: [{ fromEntities: ['all'] }] }),
    ];
    const extra = [quarantined(ns, agent.podLabels, agent.serviceAccount), ...foreign];
    const a = analyze(synthesizedInput('prod-cilium', [...r.objects, ...extra], r.model));
    const result = await compare([...r.objects, ...extra], a);
    process.stderr.write(`cilium oracle: quarantine on prod-cilium, ${result.flows} flows compared (${result.allowed} allowed by Cilium), ${result.disagreements.length} disagreements\n`);
    expect(result.disagreements).toEqual([]);
    const suspect = `${ns}/suspect[Deployment]`;
    // Cilium's own verdicts, by meaning: out of the suspect only DNS, into it nothing but the host.
    const out = a.connections.filter((c) => c.src.id === suspect).map((c) => `${c.dst.id} : ${c.conns.toString()}`);
    expect(out).toEqual([expect.stringMatching(/^kube-system\/kube-dns\[Deployment\] : (SCTP 53,)?TCP 53,UDP 53$/)]);
    expect(a.connections.filter((c) => c.dst.id === suspect && c.src.id !== '{host}').map((c) => c.src.id)).toEqual([]);
  });
});

/** Namespaces a (zone z1) and b (zone z2); pods a/x, b/y, b/w serving TCP 80 and 81. */
const crafted: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { zone: 'z1' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { zone: 'z2' } } },
  ...([['a', 'x'], ['b', 'y'], ['b', 'w']] as const).map(([namespace, app]): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 81 }] }] } } },
  })),
];

const cnp = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const onX = { matchLabels: { app: 'x' } };
const port = (p: number): Array<Record<string, unknown>> => [{ ports: [{ port: String(p), protocol: 'TCP' }] }];

/** Crafted cases, each named after the question it settles; the expectation is Cilium's answer. */
const CASES: ReadonlyArray<readonly [string, KubeObject[]]> = [
  ['default deny as an empty rule (ingress: [{}], egress: [{}])', [cnp('a', 'dd', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}], egress: [{}] })]],
  ['default deny as the none entity (palisade\'s encoding)', [cnp('a', 'dd', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{ fromEntities: ['none'] }], egress: [{ toEntities: ['none'] }] })]],
  ['default deny as empty entity lists', [cnp('a', 'dd', { endpointSelector: {}, ingress: [{ fromEntities: [] }], egress: [{ toEntities: [] }] })]],
  ['enableDefaultDeny without rules in that direction (A11)', [cnp('a', 'x', { endpointSelector: onX, enableDefaultDeny: { ingress: true }, egress: [{ toEndpoints: [{}] }] })]],
  ['a namespace-label peer selector is not confined to the policy namespace (A2)', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.zone': 'z2' } }], toPorts: port(81) }] })]],
  ['a plain peer selector is confined to the policy namespace', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'y' } }] }] })]],
  ['a subject selector naming another namespace applies in the policy namespace (A16)', [cnp('a', 'x', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }, ingress: [{ fromEntities: ['none'] }] })]],
  ['the cluster entity', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'], toPorts: port(80) }] })]],
  ['deny takes precedence over allow', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEntities: ['cluster'] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'y', 'k8s:io.kubernetes.pod.namespace': 'b' } }], toPorts: port(80) }] })]],
  ['HTTP rules on a port', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/.*' }] } }] }] })]],
  ['HTTP rules next to an L3-only rule for the same peer (A6)', [cnp('a', 'x', { endpointSelector: onX, ingress: [
    { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
    { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b', app: 'y' } }] },
  ] })]],
  ['a Kubernetes NetworkPolicy adds to a CiliumNetworkPolicy', [
    cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b', app: 'y' } }], toPorts: port(81) }] }),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'x' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { zone: 'z2' } }, podSelector: { matchLabels: { app: 'w' } } }], ports: [{ port: 80 }] }] } },
  ]],
  ['Kubernetes egress: [] without policyTypes (A11)', [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'x' } }, ingress: [{}], egress: [] } }]],
  ['an ICMP-only allow allows no TCP (A9)', [cnp('a', 'x', { endpointSelector: onX, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }], icmps: [{ fields: [{ type: 8 }] }] }] })]],
  ['an ICMP-only deny denies no TCP (A9)', [cnp('a', 'x', { endpointSelector: onX, egress: [{ toEntities: ['cluster'] }], egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }], icmps: [{ fields: [{ type: 8 }] }] }] })]],
  ['the host, remote-node and kube-apiserver entities (A5)', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEntities: ['host'], toPorts: port(80) }], egress: [{ toEntities: ['kube-apiserver'], toPorts: port(80) }, { toEntities: ['remote-node'] }] })]],
  ['world and 0.0.0.0/0 do not cover nodes or the API server (A5)', [cnp('a', 'x', { endpointSelector: onX, egress: [{ toEntities: ['world'] }, { toCIDR: ['0.0.0.0/0'] }], ingress: [{ fromEntities: ['world'] }] }), cnp('b', 'names', { endpointSelector: { matchLabels: { app: 'y' } }, egress: [{ toEntities: ['cluster'], toPorts: port(80) }] })]],
  ['an ingressDeny from all blocks the kubelet too (E5)', [cnp('a', 'x', { endpointSelector: onX, ingress: [{ fromEntities: ['host'] }], ingressDeny: [{ fromEntities: ['all'] }] })]],
  ['a clusterwide policy selecting by namespace label', [{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'z2-in' }, spec: { endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.zone': 'z2' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'a' } }], toPorts: port(80) }] } }]],
];

describe('crafted cases: the analyser agrees with Cilium\'s policy engine', () => {
  it.each(CASES)('%s', async (_name, policies) => {
    const a = analyze([...crafted, ...policies].map((object) => ({ object, source: 'crafted' })));
    const result = await compare(policies, a);
    expect(result.disagreements).toEqual([]);
    // 3 workloads, 2 destinations each, 3 ports (80, 81, 9999); and per named entity 3 workloads × 2 directions × 2 ports.
    expect(result.flows).toBe(3 * 2 * 3 + a.peers.filter((p) => p.type === 'entity').length * 3 * 2 * 2);
  });
});

/**
 * `palisade doctor`'s reading of cilium-config `labels` (reconciler/doctor/label-filter.ts) against
 * the agent's own filter (pkg/labelsfilter): for every configuration and key, the same answer to
 * "does this label stay part of the identity, so policies can select it".
 */
describe('identity-label filter: doctor agrees with Cilium\'s labelsfilter', () => {
  const KEYS = [
    'app', 'appx', 'palisade.dev/quarantine', 'palisade.dev/zone', 'app.kubernetes.io/name', 'io.kubernetes.pod.namespace',
    'io.cilium.k8s.policy.serviceaccount', 'io.cilium.k8s.namespace.labels.zone', 'pod-template-hash', 'kubernetes.io/metadata.name',
    'job-name', 'batch.kubernetes.io/job-name', 'statefulset.kubernetes.io/pod-name', 'team', 'k8s-app',
  ];
  const CONFIGS = ['', 'k8s:app', 'k8s:app k8s:io.kubernetes.pod.namespace', 'k8s:!palisade\\.dev', '!palisade\\.dev', 'k8s:palisade\\.dev k8s:app', 'k8s:team k8s:!app', 'app', 'k8s:app\\.kubernetes\\.io k8s:!app'];
  it.each(CONFIGS)('labels: "%s"', async (configured) => {
    const theirs = await ciliumKeptLabels(binary, configured, KEYS);
    const filter = labelFilter(configured);
    const disagreements = KEYS.flatMap((k, i) => (filter.keeps(k) === theirs[i] ? [] : [`${k}: cilium ${theirs[i] ? 'keeps' : 'drops'} it, doctor ${filter.keeps(k) ? 'keeps' : 'drops'} it`]));
    expect(disagreements).toEqual([]);
    expect(theirs).toHaveLength(KEYS.length);
  });
});
