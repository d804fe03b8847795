/**
 * One policy-and-pod pair per finding of the dataplane-semantics review (../shared/reference/
 * dataplane-semantics.md), each with the upstream behaviour it encodes: a regression test that
 * fails on the analyser as it was before the fix.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/resource-id.js';
import { analyze } from './analyze.js';

function deployment(namespace: string, name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } },
  };
}

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** Namespaces `a` and `b`, pods a/x (app=x) and b/y (app=y). */
const world = [ns('a'), ns('b'), deployment('a', 'x', { app: 'x' }), deployment('b', 'y', { app: 'y' })];

/** Whether `from` reaches `to` on TCP `port` given these policies (workload ids `ns/name`). */
function reaches(policies: readonly KubeObject[], from: string, to: string, port = 80): boolean {
  const a = analyze([...world, ...policies].map((object) => ({ object, source: 'test' })));
  return a.connections.some((c) => c.src.id === `${from}[Deployment]` && c.dst.id === `${to}[Deployment]` && c.conns.ports('TCP').some(([lo, hi]) => lo <= port && port <= hi));
}

const cnp = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });

describe('A11: default-deny triggers', () => {
  it('Cilium: enableDefaultDeny.ingress without ingress rules does not isolate ingress (repository.go needs len(r.Ingress) > 0)', () => {
    const p = cnp('a', 'x-egress', { endpointSelector: { matchLabels: { app: 'x' } }, enableDefaultDeny: { ingress: true }, egress: [{ toEndpoints: [{}] }] });
    expect(reaches([p], 'b/y', 'a/x')).toBe(true);
  });
  it('Cilium: `ingress: []` does not isolate ingress either', () => {
    const p = cnp('a', 'x-egress', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [], egress: [{ toEndpoints: [{}] }] });
    expect(reaches([p], 'b/y', 'a/x')).toBe(true);
  });
  it('Kubernetes: `egress: []` without policyTypes leaves egress alone (SetDefaults_NetworkPolicySpec)', () => {
    const np: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'x' } }, ingress: [{}], egress: [] } };
    expect(reaches([np], 'a/x', 'b/y')).toBe(true);
  });
});

describe('E3: Cilium default deny', () => {
  const deny = cnp('a', 'palisade-default-deny', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{ fromEntities: ['none'] }], egress: [{ toEntities: ['none'] }] });
  it('the `none` entity encoding isolates both directions and allows nothing', () => {
    expect(reaches([deny], 'b/y', 'a/x')).toBe(false);
    expect(reaches([deny], 'a/x', 'b/y')).toBe(false);
  });
});

describe('A2 / A16: Cilium namespace scoping', () => {
  const zoned = [ns('a'), ns('b', { zone: 'z2' }), deployment('a', 'x', { app: 'x' }), deployment('b', 'y', { app: 'y' })];
  const reach = (p: KubeObject, from: string, to: string): boolean => analyze([...zoned, p].map((object) => ({ object, source: 'test' })))
    .connections.some((c) => c.src.id === `${from}[Deployment]` && c.dst.id === `${to}[Deployment]`);
  it('a peer selector on namespace labels is not confined to the policy namespace (getEndpointSelector)', () => {
    const p = cnp('a', 'x-in', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.zone': 'z2' } }] }] });
    expect(reach(p, 'b/y', 'a/x')).toBe(true);
  });
  it('a subject selector naming another namespace still applies in the policy namespace only (ParseToCiliumRule)', () => {
    const p = cnp('a', 'isolate', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }, ingress: [{ fromEntities: ['none'] }] });
    expect(reach(p, 'a/x', 'b/y')).toBe(true);
    expect(reach(p, 'b/y', 'a/x')).toBe(false);
  });
});

describe('A6: HTTP rules Cilium wildcards or does not apply', () => {
  const connection = (policies: KubeObject[], from: string, to: string) => analyze([...world, ...policies].map((object) => ({ object, source: 'test' })))
    .connections.find((c) => c.src.id === `${from}[Deployment]` && c.dst.id === `${to}[Deployment]`);
  const fromB = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } };
  const http80 = { fromEndpoints: [fromB], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] };
  it('an L3-only rule for the same peer allows all HTTP, whichever policy sorts first (cilium#3509)', () => {
    for (const name of ['aa', 'zz']) {
      const c = connection([cnp('a', 'x-http', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [http80] }), cnp('a', name, { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b', app: 'y' } }] }] })], 'b/y', 'a/x');
      expect(c?.http).toBeUndefined();
    }
  });
  it('HTTP rules on port 80 do not label a connection that also allows port 81 without them', () => {
    const c = connection([cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [http80, { fromEndpoints: [fromB], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] }] })], 'b/y', 'a/x');
    expect(c?.conns.toString()).toBe('TCP 80-81');
    expect(c?.http).toBeUndefined();
  });
  it('HTTP rules covering every allowed port still label the connection', () => {
    const c = connection([cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [http80] })], 'b/y', 'a/x');
    expect(c?.http).toEqual([{ method: 'GET' }]);
  });
});

describe('A1: ClusterNetworkPolicy on Calico runs in tier kube-admin (order 1,000), not before every tier', () => {
  it('an Allow in a tier ordered before kube-admin is final; the Admin deny never sees the flow', () => {
    const policies: KubeObject[] = [
      { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'early' }, spec: { order: 100, defaultAction: 'Deny' } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'early.x-to-y' }, spec: { tier: 'early', order: 1, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Allow' }] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'early.y-in' }, spec: { tier: 'early', order: 1, selector: "app == 'y'", types: ['Ingress'], ingress: [{ action: 'Allow' }] } },
      { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'deny-a-to-b' }, spec: { tier: 'Admin', priority: 1, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }, ingress: [{ name: 'no-a', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }] } },
    ];
    const labelled = [ns('a', { 'kubernetes.io/metadata.name': 'a' }), ns('b', { 'kubernetes.io/metadata.name': 'b' }), deployment('a', 'x', { app: 'x' }), deployment('b', 'y', { app: 'y' })];
    const a = analyze([...labelled, ...policies].map((object) => ({ object, source: 'test' })));
    expect(a.connections.some((c) => c.src.id === 'a/x[Deployment]' && c.dst.id === 'b/y[Deployment]')).toBe(true);
  });
});

describe('A9: Cilium icmps', () => {
  const toB = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }] };
  it('an ICMP-only allow allows no TCP (icmpRules joins the rule\'s L4 part)', () => {
    const p = cnp('a', 'x-ping', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ ...toB, icmps: [{ fields: [{ type: 8 }] }] }] });
    expect(reaches([p], 'a/x', 'b/y')).toBe(false);
  });
  it('an ICMP-only deny denies no TCP that another rule allows', () => {
    const p = cnp('a', 'x-no-ping', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [toB], egressDeny: [{ ...toB, icmps: [{ fields: [{ type: 8 }] }] }] });
    expect(reaches([p], 'a/x', 'b/y')).toBe(true);
  });
  it('icmps beside toPorts keep the ports', () => {
    const p = cnp('a', 'x-web', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ ...toB, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }], icmps: [{ fields: [{ type: 8 }] }] }] });
    expect(reaches([p], 'a/x', 'b/y', 80)).toBe(true);
    expect(reaches([p], 'a/x', 'b/y', 81)).toBe(false);
  });
});

describe('A7: DNS wildcards as each backend reads them', () => {
  const dnsReach = (policies: readonly KubeObject[], from: string): string[] =>
    analyze([...world, ...policies].map((object) => ({ object, source: 'test' }))).connections.filter((c) => c.src.id === `${from}[Deployment]` && c.dst.type === 'dns').map((c) => c.dst.id).sort();
  // Another policy names the deeper names, so the analysis has peers for them; x's lookups all go through the DNS proxy (A17).
  const namer = cnp('b', 'names', { endpointSelector: { matchLabels: { app: 'y' } }, egress: [{ toFQDNs: [{ matchName: 'en.m.wikipedia.org' }, { matchName: 'en.wikipedia.org' }, { matchName: 'latest.blog.kubernetes.io' }] }] });
  const lookups = cnp('a', 'x-dns', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] });

  it('Cilium: `*.wikipedia.org` is one label (pkg/fqdn/matchpattern), so en.m.wikipedia.org is not covered', () => {
    const p = cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toFQDNs: [{ matchPattern: '*.wikipedia.org' }] }] });
    expect(dnsReach([p, namer, lookups], 'a/x')).toEqual(['*.wikipedia.org[DNS]', 'en.wikipedia.org[DNS]']);
  });

  it('Cilium 1.19: a leading `**.` spans labels', () => {
    const p = cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toFQDNs: [{ matchPattern: '**.wikipedia.org' }] }] });
    expect(dnsReach([p, namer, lookups], 'a/x')).toEqual(['**.wikipedia.org[DNS]', 'en.m.wikipedia.org[DNS]', 'en.wikipedia.org[DNS]']);
  });

  it('ClusterNetworkPolicy: `*.kubernetes.io` matches one or more labels (the CRD\'s own example, latest.blog.kubernetes.io)', () => {
    const p: KubeObject = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'dn' }, spec: { tier: 'Admin', priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }, egress: [{ name: 'k8s', action: 'Accept', to: [{ domainNames: ['*.kubernetes.io'] }] }] } };
    expect(dnsReach([p, namer], 'a/x')).toContain('latest.blog.kubernetes.io[DNS]');
  });
});

describe('A5: host, remote-node and kube-apiserver are peers of their own', () => {
  const conns = (policies: readonly KubeObject[]): string[] =>
    analyze([...world, ...policies].map((object) => ({ object, source: 'test' }))).connections
      .filter((c) => (c.src.type === 'entity' && c.dst.id === 'a/x[Deployment]') || (c.dst.type === 'entity' && c.src.id === 'a/x[Deployment]'))
      .map((c) => `${c.src.id} => ${c.dst.id} : ${c.conns.toString()}`).sort();
  const egress = (rule: Record<string, unknown>): KubeObject => cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [rule] });
  const kubelet = { toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] };

  it('toEntities: [cluster] reaches every node\'s kubelet and the API server (language.rst: cluster includes host and remote-node)', () => {
    expect(conns([egress({ toEntities: ['cluster'], ...kubelet })]).filter((l) => l.startsWith('a/x'))).toEqual(['a/x[Deployment] => {host} : TCP 10250', 'a/x[Deployment] => {kube-apiserver} : TCP 10250', 'a/x[Deployment] => {remote-node} : TCP 10250']);
  });

  it('toEntities: [world] and toCIDR 0.0.0.0/0 reach none of them (node IPs carry reserved identities, not world)', () => {
    const namer = cnp('b', 'names', { endpointSelector: { matchLabels: { app: 'y' } }, egress: [{ toEntities: ['cluster'] }] });
    expect(conns([egress({ toEntities: ['world'] }), namer]).filter((l) => l.startsWith('a/x'))).toEqual([]);
    expect(conns([egress({ toCIDR: ['0.0.0.0/0'] }), namer]).filter((l) => l.startsWith('a/x'))).toEqual([]);
    // Unselected by any policy, the same pod reaches them all.
    expect(conns([namer]).filter((l) => l.startsWith('a/x'))).toEqual(['a/x[Deployment] => {host} : All Connections', 'a/x[Deployment] => {kube-apiserver} : All Connections', 'a/x[Deployment] => {remote-node} : All Connections']);
  });

  it('toEntities: [kube-apiserver] reaches the API server only', () => {
    expect(conns([egress({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] })]).filter((l) => l.startsWith('a/x'))).toEqual(['a/x[Deployment] => {kube-apiserver} : TCP 443']);
  });

  it('fromEntities: [host] lets the kubelet probe a pod, and an ingressDeny from all entities blocks it (E5: quarantined pods fail probes)', () => {
    const probes = cnp('a', 'x-in', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{ fromEntities: ['host'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
    expect(conns([probes]).filter((l) => l.startsWith('{'))).toEqual(['{host} => a/x[Deployment] : TCP 8080']);
    const quarantine = cnp('a', 'q', { endpointSelector: { matchLabels: { app: 'x' } }, ingressDeny: [{ fromEntities: ['all'] }] });
    expect(conns([probes, quarantine]).filter((l) => l.startsWith('{'))).toEqual([]);
  });
});

describe('A3: Calico types default (api/pkg/defaults/networkpolicy.go)', () => {
  const tier: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'palisade' }, spec: { order: 100, defaultAction: 'Deny' } };
  const gnp = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'palisade.allow-x-egress' }, spec: { tier: 'palisade', order: 10, selector: "app == 'x'", ...spec } });
  const allowEgress = [{ action: 'Allow', destination: {} }];

  it('egress rules only: the policy is Egress only, so ingress to x is not decided by the tier', () => {
    expect(reaches([tier, gnp({ egress: allowEgress })], 'b/y', 'a/x')).toBe(true);
  });
  it('`egress: []` counts as no egress rules: Ingress only, egress of x is untouched', () => {
    expect(reaches([tier, gnp({ egress: [], ingress: [{ action: 'Allow', source: {} }] })], 'a/x', 'b/y')).toBe(true);
  });
  it('both kinds of rules: both directions (an ingress Deny applies)', () => {
    expect(reaches([tier, gnp({ egress: allowEgress, ingress: [{ action: 'Deny', source: {} }] })], 'b/y', 'a/x')).toBe(false);
  });
});

describe('A8: DNS peers and CIDR rules', () => {
  const names = cnp('b', 'names', { endpointSelector: { matchLabels: { app: 'y' } }, egress: [{ toFQDNs: [{ matchName: 'api.openai.com' }] }] });
  const dnsReach = (policies: readonly KubeObject[]): string[] =>
    analyze([...world, ...policies].map((object) => ({ object, source: 'test' }))).connections.filter((c) => c.src.id === 'a/x[Deployment]' && c.dst.type === 'dns').map((c) => `${c.dst.id} ${c.conns.toString()}`);
  it('toCIDRSet 0.0.0.0/0 except 10.0.0.0/8 allows the public addresses a name resolves to (world identities)', () => {
    const p = cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    expect(dnsReach([p, names])).toEqual(['api.openai.com[DNS] TCP 443']);
  });
  it('a range that leaves out public addresses does not (the name may resolve there)', () => {
    const p = cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['8.0.0.0/8'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    expect(dnsReach([p, names])).toEqual([]);
  });
});

describe('A13/A14: Calico order ties and tiers without order', () => {
  const tier = (name: string, order?: number, defaultAction = 'Deny'): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { ...(order === undefined ? {} : { order }), defaultAction } });
  it('equal order: Felix runs the policy whose name sorts first (name/namespace/kind), whatever its kind', () => {
    const deny: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'palisade.z-deny' }, spec: { tier: 'palisade', order: 100, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Deny' }] } };
    const allow: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'palisade.a-allow', namespace: 'a' }, spec: { tier: 'palisade', order: 100, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Allow' }] } };
    expect(reaches([tier('palisade', 100), deny, allow], 'a/x', 'b/y')).toBe(true);
  });
  it('a tier without order runs after every ordered tier (default included; its name sorting first does not matter), so an Allow in default decides first', () => {
    const late: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'aaa.deny' }, spec: { tier: 'aaa', selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Deny' }] } };
    const allowDefault: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'allow', namespace: 'a' }, spec: { selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Allow' }] } };
    expect(reaches([tier('aaa'), late, allowDefault], 'a/x', 'b/y')).toBe(true);
  });
});

describe('A12: Calico rule scoping', () => {
  const np = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x-egress', namespace: 'a' }, spec: { selector: "app == 'x'", types: ['Egress'], ...spec } });
  it('a namespaced rule with only a notSelector stays in the policy\'s namespace (updateprocessors/rules.go)', () => {
    expect(reaches([np({ egress: [{ action: 'Allow', destination: { notSelector: "app == 'db'" } }] })], 'a/x', 'b/y')).toBe(false);
  });
  it('a notSelector alone matches traffic from outside Calico: a GlobalNetworkPolicy Deny with it blocks 8.8.8.8', () => {
    const gnp: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-not-x' }, spec: { order: 1, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Deny', destination: { notSelector: "has(trusted)" } }, { action: 'Allow' }] } };
    const namer = np({ order: 50, egress: [{ action: 'Allow', destination: { nets: ['8.8.8.0/24'] } }] });
    const a = analyze([...world, gnp, namer].map((object) => ({ object, source: 'test' })));
    expect(a.connections.filter((c) => c.src.id === 'a/x[Deployment]' && c.dst.type === 'ip').map((c) => c.dst.id)).toEqual([]);
  });
  it('a Deny naming serviceAccounts denies those pods only, not every pod (example 3)', () => {
    const gnp: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-db-sa' }, spec: { order: 1, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Deny', destination: { serviceAccounts: { names: ['db'] } } }, { action: 'Allow' }] } };
    expect(reaches([gnp], 'a/x', 'b/y')).toBe(true);
    const denyDefault = { ...gnp, spec: { ...(gnp['spec'] as object), egress: [{ action: 'Deny', destination: { serviceAccounts: { names: ['default'] } } }, { action: 'Allow' }] } };
    expect(reaches([denyDefault], 'a/x', 'b/y')).toBe(false);
  });
  it('`nets: []` is no criterion: the rule matches everything (Calico counts the list)', () => {
    expect(reaches([np({ egress: [{ action: 'Allow', destination: { nets: [] } }] })], 'a/x', 'b/y')).toBe(true);
  });
  // Unmodelled criteria only narrow a rule: a Deny narrowed by one must not become a deny-all.
  const gnpDenyThenAllow = (deny: Record<string, unknown>): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'narrowed-deny' }, spec: { order: 1, selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Deny', ...deny }, { action: 'Allow' }] } });
  it.each([
    ['destination services (a Service\'s endpoints)', { destination: { services: { name: 'db', namespace: 'b' } } }],
    ['source ports (the client\'s ports)', { protocol: 'TCP', source: { ports: [1234] } }],
    ['source notPorts', { protocol: 'TCP', source: { notPorts: ['1024:65535'] } }],
    ['an HTTP match', { http: { methods: ['DELETE'] } }],
  ])('a Deny narrowed by %s is not read as denying everything, and says so', (_what, deny) => {
    const a = analyze([...world, gnpDenyThenAllow(deny)].map((object) => ({ object, source: 'test' })));
    expect(a.connections.some((c) => c.src.id === 'a/x[Deployment]' && c.dst.id === 'b/y[Deployment]')).toBe(true);
    expect(a.warnings).toEqual([expect.stringMatching(/GlobalNetworkPolicy\/narrowed-deny: spec\.egress\[0\]\.(destination\.services|source\.ports|source\.notPorts|http) is not analysed \(the Deny is read as matching nothing\)/)]);
  });
  it('an Allow narrowed by destination services is read without it, with a warning', () => {
    const allow = np({ egress: [{ action: 'Allow', destination: { services: { name: 'y', namespace: 'b' } } }] });
    const a = analyze([...world, allow].map((object) => ({ object, source: 'test' })));
    expect(a.connections.some((c) => c.src.id === 'a/x[Deployment]' && c.dst.id === 'b/y[Deployment]')).toBe(true);
    expect(a.warnings).toEqual([expect.stringMatching(/destination\.services is not analysed \(read as not narrowing the Allow\)/)]);
  });
  it('an IPv6-only rule (ipVersion: 6) matches nothing in the IPv4 analysis: its Deny blocks no IPv4 traffic', () => {
    expect(reaches([gnpDenyThenAllow({ ipVersion: 6 })], 'a/x', 'b/y')).toBe(true);
  });
});

describe('A5: the API server is a remote node too', () => {
  it('toEntities: [remote-node] reaches the API server (its reserved identity carries reserved:remote-node), toEntities: [host] does not', () => {
    const a = analyze([...world, cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toEntities: ['remote-node'] }, { toEntities: ['host'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }] }), cnp('b', 'n', { endpointSelector: { matchLabels: { app: 'y' } }, egress: [{ toEntities: ['kube-apiserver'] }] })].map((object) => ({ object, source: 'test' })));
    const out = a.connections.filter((c) => c.src.id === 'a/x[Deployment]' && c.dst.type === 'entity').map((c) => `${c.dst.id} ${c.conns.toString()}`).sort();
    expect(out).toEqual(['{host} TCP 10250', '{kube-apiserver} All Connections', '{remote-node} All Connections']);
  });
});

describe('A4: Calico `nets` (and ipBlock on Calico) match pod addresses (felix/rules/policy.go: a plain CIDR match)', () => {
  const calicoNp = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'a' }, spec: { selector: "app == 'x'", types: ['Egress'], ...spec } });
  const reach = (policies: readonly KubeObject[], podCidrs?: readonly string[]) => {
    const a = analyze([...world, ...policies].map((object) => ({ object, source: 'test' })), podCidrs === undefined ? {} : { podCidrs });
    return { reaches: a.connections.some((c) => c.src.id === 'a/x[Deployment]' && c.dst.id === 'b/y[Deployment]'), warnings: a.warnings };
  };
  const fallback = calicoNp('fallback', { egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'], notNets: ['169.254.169.254/32'] } }] });

  it('an Allow to nets 0.0.0.0/0 less the metadata address reaches pods (the review\'s pair), with no approximation', () => {
    expect(reach([fallback])).toEqual({ reaches: true, warnings: [] });
  });
  it('a Deny of nets 10.0.0.0/8 blocks pods when the pods are there (podCidrs 10.244.0.0/16)', () => {
    const deny = calicoNp('deny-10', { order: 1, egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] });
    expect(reach([deny], ['10.244.0.0/16']).reaches).toBe(false);
    expect(reach([deny], ['192.168.0.0/16']).reaches).toBe(true);
  });
  it('pod IPs unknown within the ranges: an Allow meeting part of them matches every pod, a Deny covering part matches none, and both say so', () => {
    const allow = reach([calicoNp('allow-10', { egress: [{ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }] })]);
    expect(allow.reaches).toBe(true);
    expect(allow.warnings.join('\n')).toMatch(/NetworkPolicy\/a\/allow-10: spec\.egress\[0\]\.destination\.nets: covers part of the pod addresses.*every pod/);
    const deny = reach([calicoNp('deny-10', { egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] })]);
    expect(deny.reaches).toBe(true);
    expect(deny.warnings.join('\n')).toMatch(/deny-10: spec\.egress\[0\]\.destination\.nets: covers part.*no pod/);
  });
  it('notNets covering the pod ranges keeps an Allow off pods', () => {
    const internet = calicoNp('internet', { egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'] } }] });
    expect(reach([internet])).toEqual({ reaches: false, warnings: [] });
  });
  it('a Kubernetes ipBlock matches pods where Calico enforces it, and not elsewhere (netpol-analyzer\'s model)', () => {
    const np: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a' }, spec: { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } };
    const tier: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'palisade' }, spec: { order: 100 } };
    expect(reach([np]).reaches).toBe(false);
    expect(reach([np, tier]).reaches).toBe(true);
  });
  it('with podCidrs [] pods have no address a rule can match (network-config-analyzer\'s model)', () => {
    expect(reach([fallback], []).reaches).toBe(false);
  });
});

describe('A18: Cilium peers the analysis cannot name never widen a rule to every peer', () => {
  const port443 = [{ ports: [{ port: '443', protocol: 'TCP' }] }];
  const groups = [{ aws: { securityGroupsIds: ['sg-0123'] } }];
  const run = (spec: Record<string, unknown>) => analyze([...world, cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, ...spec })].map((object) => ({ object, source: 'test' })));
  it('an allow toGroups on 443 does not reach pods (it was read as "any peer on 443"), and is a warning', () => {
    const a = run({ egress: [{ toGroups: groups, toPorts: port443 }] });
    expect(reaches([cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toGroups: groups, toPorts: port443 }] })], 'a/x', 'b/y', 443)).toBe(false);
    expect(a.connections.filter((c) => c.src.id === 'a/x[Deployment]').map((c) => `${c.dst.id} ${c.conns.toString()}`)).toEqual(['0.0.0.0-255.255.255.255[External] TCP 443']);
    expect(a.warnings).toContain('CiliumNetworkPolicy/a/x: spec.egress[0].toGroups is not analysed (read as allowing every peer of its kind)');
  });
  it('an egressDeny toGroups on 443 denies no pod (it was read as denying every peer on 443)', () => {
    const p = cnp('a', 'x', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toEntities: ['cluster'] }], egressDeny: [{ toGroups: groups, toPorts: port443 }] });
    expect(reaches([p], 'a/x', 'b/y', 443)).toBe(true);
  });
  it('an allow toNodes reaches the node identities, not pods', () => {
    const a = run({ egress: [{ toNodes: [{ matchLabels: { role: 'gpu' } }], toPorts: port443 }] });
    expect(a.connections.filter((c) => c.src.id === 'a/x[Deployment]').map((c) => c.dst.id).sort()).toEqual(['{host}', '{remote-node}']);
  });
});

describe('A17: toFQDNs allows only what the endpoint looks up through the DNS proxy', () => {
  const fqdn = cnp('a', 'x-web', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
  const dnsRule = (name: string, app: string, patterns: Array<Record<string, string>>): KubeObject => cnp('a', name, { endpointSelector: { matchLabels: { app } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: patterns } }] }] });
  const reachesName = (policies: KubeObject[]): boolean => analyze([...world, ...policies].map((object) => ({ object, source: 'test' })))
    .connections.some((c) => c.src.id === 'a/x[Deployment]' && c.dst.id === 'api.example.com[DNS]');
  it('without a DNS rule the name\'s IPs are never learnt: nothing is allowed', () => {
    expect(reachesName([fqdn])).toBe(false);
  });
  it('a DNS rule covering the name (matchPattern *) on the same endpoint makes it reachable', () => {
    expect(reachesName([fqdn, dnsRule('dns', 'x', [{ matchPattern: '*' }])])).toBe(true);
  });
  it('a DNS rule for cluster names only, or on another endpoint, does not', () => {
    expect(reachesName([fqdn, dnsRule('dns', 'x', [{ matchPattern: '*.cluster.local' }])])).toBe(false);
    expect(reachesName([fqdn, dnsRule('dns', 'y', [{ matchName: 'api.example.com' }])])).toBe(false);
  });
});
