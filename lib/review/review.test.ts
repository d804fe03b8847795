import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { smallOrg, type SmallOrgOptions } from '../../test/fixtures/small-org.js';
import type { ClusterSpec } from '../cluster/cluster-spec.js';
import { EgressProxy, ExternalEndpoint, Agent, Zone, Port, type PolicyDefinition } from '../index.js';
import { synthesize } from '../synth/synthesize.js';
import { testCluster } from '../testing/index.js';
import type { Probe } from './config.js';
import { mermaidOf, review, reviewMarkdown, reviewSarif, type FindingKind, type ReviewSide } from './index.js';

const cilium = testCluster({ name: 'c', network: 'cilium', runtime: 'tetragon' });
const k8s = testCluster({ name: 'k', network: 'kubernetes' });

function side(label: string, define: PolicyDefinition, cluster: ClusterSpec): ReviewSide {
  const r = synthesize(define, cluster);
  return { label, clusters: [{ name: cluster.name, network: cluster.network, model: r.model, objects: r.objects }] };
}

function kinds(before: SmallOrgOptions, after: SmallOrgOptions, cluster = cilium): FindingKind[] {
  const r = review(side('base', smallOrg(before), cluster), side('head', smallOrg(after), cluster), { probes: [] }, []);
  return r.clusters.flatMap((c) => c.findings.map((f) => f.kind));
}

function reachTo(host: string): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'inference');
    const agent = new Agent(scope, 'coder', { namespace: 'agents', zone, podLabels: { app: 'coder' } });
    agent.allowTo(new ExternalEndpoint(scope, 'gh', { host, ports: [Port.tcp(443)] }));
  };
}

function viaProxy(...hosts: string[]): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'inference');
    const proxy = new EgressProxy(scope, 'proxy', { namespace: 'egress', zone });
    const agent = new Agent(scope, 'coder', { namespace: 'agents', zone, podLabels: { app: 'coder' } });
    hosts.forEach((host, i) => agent.allowTo(new ExternalEndpoint(scope, `h${i}`, { host }), { via: proxy }));
  };
}

describe('semantic review', () => {
  it('reports a host added to an agent\'s egress-proxy list as a new destination, wildcards flagged', () => {
    const r = review(side('base', viaProxy('github.com'), k8s), side('head', viaProxy('github.com', '*.npmjs.org'), k8s), { probes: [] }, []);
    const added = r.clusters[0]!.edges.filter((e) => e.change === 'added');
    expect(added).toEqual([{ change: 'added', after: { src: 'agents/coder[Deployment]', dst: '*.npmjs.org[DNS] via egress/proxy[Deployment]', conns: 'TCP 443' } }]);
    expect(r.clusters[0]!.findings.map((f) => f.kind)).toContain('new-wildcard');
  });

  it('reports an added external edge by agent with its port', () => {
    const r = review(side('base', smallOrg(), cilium), side('head', smallOrg({ external: 'name' }), cilium), { probes: [] }, []);
    const added = r.clusters[0]!.edges.filter((e) => e.change === 'added');
    expect(added).toEqual([{ change: 'added', after: { src: 'agents/researcher[Deployment]', dst: 'api.openai.com[DNS]', conns: 'TCP 443' } }]);
    expect(r.risk).toBe('low');
  });

  it('reports a removed edge when an allowTo is dropped', () => {
    const r = review(side('base', smallOrg({ external: 'name' }), cilium), side('head', smallOrg(), cilium), { probes: [] }, []);
    expect(r.clusters[0]!.edges.map((e) => e.change)).toEqual(['removed']);
  });

  it('flags a name widened to a wildcard', () => {
    const r = review(side('base', reachTo('github.com'), cilium), side('head', reachTo('*.github.com'), cilium), { probes: [] }, []);
    expect(r.clusters[0]!.findings.map((f) => f.kind)).toContain('wildcard-widening');
    expect(r.risk).toBe('high');
  });

  it('flags one label widened to several (*. to **.), and not the reverse (E10)', () => {
    const change = (from: string, to: string): FindingKind[] => review(side('base', reachTo(from), cilium), side('head', reachTo(to), cilium), { probes: [] }, []).clusters.flatMap((c) => c.findings.map((f) => f.kind));
    expect(change('*.github.com', '**.github.com')).toContain('wildcard-widening');
    expect(change('api.github.com', '**.github.com')).toContain('wildcard-widening');
    expect(change('**.github.com', '*.github.com')).toEqual([]);
  });

  it('flags a new wildcard destination', () => {
    expect(kinds({}, { external: 'wildcard' })).toContain('new-wildcard');
  });

  it('flags new reach to 0.0.0.0/0 (a CIDR fallback on plain NetworkPolicy)', () => {
    expect(kinds({}, { external: 'cidr-fallback' }, k8s)).toContain('world-reach');
  });

  it('flags a /8 split into /9s or /16s as reach to the world, and not a few small ranges', () => {
    const fallback = (cidrs: string[]): PolicyDefinition => (scope) => {
      const zone = new Zone(scope, 'inference');
      const agent = new Agent(scope, 'coder', { namespace: 'agents', zone, podLabels: { app: 'coder' } });
      agent.allowTo(new ExternalEndpoint(scope, 'api', { host: 'api.example.com', cidrFallback: cidrs, allowWideFallback: true }));
    };
    const found = (cidrs: string[]): string[] => review(side('base', fallback(['192.0.2.0/24']), k8s), side('head', fallback(cidrs), k8s), { probes: [] }, []).clusters[0]!.findings.filter((f) => f.kind === 'world-reach').map((f) => f.message);
    expect(found(['44.0.0.0/9', '44.128.0.0/9'])).toEqual([expect.stringMatching(/can now reach 16777216 more external addresses, split over 2 ranges/)]);
    expect(found(Array.from({ length: 256 }, (_, i) => `45.${i}.0.0/16`))).toEqual([expect.stringMatching(/can now reach 16777216 more external addresses, split over 256 ranges/)]);
    expect(found(['44.0.0.0/9'])).toEqual([]);
  });

  it.each([
    [{ sandbox: true }, {}, 'sandbox-removed'],
    [{ runtimeGuard: true }, {}, 'runtime-relaxed'],
    [{ gpu: true }, {}, 'gpu-loosened'],
    [{}, { kubeApi: true }, 'world-reach'],
  ] as Array<[SmallOrgOptions, SmallOrgOptions, FindingKind]>)('flags a weakened control: %o → %o gives %s', (before, after, kind) => {
    expect(kinds(before, after)).toContain(kind);
  });

  it('flags a widened spawn list, a moved identity and a widened selector as identity weakenings', () => {
    const org = (o: { spawns?: boolean; sa?: string; labels?: Record<string, string> }): PolicyDefinition => (scope) => {
      const zone = new Zone(scope, 'inference');
      const worker = new Agent(scope, 'worker', { namespace: 'agents', zone, podLabels: { app: 'worker' } });
      const boss = new Agent(scope, 'boss', { namespace: 'agents', zone, podLabels: o.labels ?? { app: 'boss', tier: 'lead' }, ...(o.sa ? { serviceAccount: o.sa } : {}) });
      if (o.spawns) boss.spawns(worker);
    };
    const found = (before: PolicyDefinition, after: PolicyDefinition): string[] =>
      review(side('base', before, cilium), side('head', after, cilium), { probes: [] }, []).clusters[0]!.findings.filter((f) => f.kind === 'identity-weakened').map((f) => `${f.risk}: ${f.message}`);
    expect(found(org({}), org({ spawns: true }))).toEqual(['high: agent boss may now start pods as worker (and use their access)']);
    expect(found(org({ spawns: true }), org({}))).toEqual([]);
    expect(found(org({}), org({ sa: 'shared' }))).toEqual(['medium: agent boss identity changed: ServiceAccount agents/boss → agents/shared']);
    expect(found(org({}), org({ labels: { app: 'boss' } }))).toEqual(['medium: agent boss selector no longer requires tier: it selects more pods']);
  });

  it('flags a removed identity binding (the agent\'s admission rule is gone)', () => {
    const agents = (both: boolean): PolicyDefinition => (scope) => {
      const zone = new Zone(scope, 'inference');
      new Agent(scope, 'worker', { namespace: 'agents', zone, podLabels: { app: 'worker' } });
      if (both) new Agent(scope, 'boss', { namespace: 'agents', zone, podLabels: { app: 'boss' } });
    };
    const r = review(side('base', agents(true), k8s), side('head', agents(false), k8s), { probes: [] }, []);
    expect(r.clusters[0]!.findings.filter((f) => f.kind === 'admission-weakened').map((f) => f.message)).toContain('ValidatingAdmissionPolicyBinding/palisade-identity-agents-boss (Deny) removed');
  });

  it('flags a registry allow-list that now admits another registry', () => {
    expect(kinds({}, { registryPrefixes: ['ghcr.io/acme/', 'docker.io/'] })).toContain('registry-widened');
    expect(kinds({ registryPrefixes: ['ghcr.io/acme/', 'docker.io/'] }, {})).not.toContain('registry-widened');
  });

  it('reports a changed edge when an L7 rule is added to an existing connection', () => {
    const r = review(side('base', smallOrg(), cilium), side('head', smallOrg({ http: true }), cilium), { probes: [] }, []);
    const changed = r.clusters[0]!.edges.filter((e) => e.change === 'changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ before: { src: 'agents/researcher[Deployment]', dst: 'tools/mcp[Deployment]' }, after: { http: expect.stringContaining('POST /v1/call') } });
  });

  it('flags a dropped image-signature rule (Kyverno admission)', () => {
    expect(kinds({ signatures: true }, {}, testCluster({ name: 'y', network: 'cilium', admission: 'kyverno' }))).toContain('signature-dropped');
  });

  it('reports nothing when both sides are the same', () => {
    const r = review(side('base', smallOrg({ sandbox: true }), cilium), side('head', smallOrg({ sandbox: true }), cilium), { probes: [] }, []);
    expect(r.clusters[0]).toMatchObject({ edges: [], findings: [], objects: [] });
    expect(r.risk).toBe('none');
  });

  it('flags admission Deny turned into Warn/Audit and a lifted quarantine', () => {
    const base = side('base', smallOrg(), cilium);
    const c = base.clusters[0]!;
    const objects = c.objects
      .filter((o) => o.metadata.annotations?.['palisade.dev/rule'] !== 'quarantine')
      .map((o) => (o.kind === 'ValidatingAdmissionPolicyBinding' ? { ...o, spec: { ...(o as unknown as { spec: object }).spec, validationActions: ['Warn', 'Audit'] } } : o));
    const r = review(base, { label: 'head', clusters: [{ ...c, objects }] }, { probes: [] }, []);
    const found = r.clusters[0]!.findings.map((f) => f.kind);
    expect(found).toContain('admission-weakened');
    expect(found).toContain('quarantine-lifted');
  });

  it('gives probe verdicts before and after, and requires the approval label for weakenings', () => {
    const probes: Probe[] = [{ name: 'no openai', from: 'agents/researcher', to: 'api.openai.com', expect: 'deny' }];
    const base = side('base', smallOrg({ sandbox: true }), cilium);
    const head = side('head', smallOrg({ external: 'name' }), cilium);
    const r = review(base, head, { approvalLabel: 'security-approved', probes }, []);
    expect(r.clusters[0]!.probes).toEqual([{ cluster: 'c', probe: 'no openai', expect: 'deny', before: 'deny', after: 'allow', ok: false }]);
    expect(r.needsApproval).toBe(true);
    expect(review(base, head, { approvalLabel: 'security-approved', probes }, ['security-approved']).needsApproval).toBe(false);
  });

  it('renders SARIF with one result per finding', () => {
    const r = review(side('base', smallOrg({ sandbox: true }), cilium), side('head', smallOrg(), cilium), { probes: [] }, []);
    const sarif = reviewSarif(r, '0.1.0') as { runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
    expect(sarif.runs[0]!.results).toContainEqual(expect.objectContaining({ ruleId: 'sandbox-removed', level: 'error' }));
  });
});

describe('Mermaid output', () => {
  it('is accepted by the Mermaid parser (and a broken graph is not)', async () => {
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    const { default: mermaid } = await import('mermaid');
    const r = review(side('base', reachTo('github.com'), cilium), side('head', reachTo('*.github.com'), cilium), { probes: [] }, []);
    const graph = mermaidOf(r.clusters[0]!.edges);
    expect(graph).toContain('*.github.com[DNS]');
    await expect(mermaid.parse(graph)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    await expect(mermaid.parse(`${graph}\n  n0 -->|"x| ]]`)).rejects.toThrow();
  });
});

describe('Markdown for a PR comment', () => {
  it('matches the snapshot for an example change', () => {
    const r = review(side('base (main)', smallOrg(), cilium), side('head (feature)', smallOrg({ external: 'wildcard', http: true }), cilium), { approvalLabel: 'security-approved', probes: [] }, []);
    expect(reviewMarkdown(r)).toMatchSnapshot();
  });
});
