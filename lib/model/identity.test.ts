import { Construct } from 'constructs';
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Agent, ExternalEndpoint, GpuTenancy, Port, Tool, Zone } from '../index.js';
import { isPalisadeError } from '../core/errors.js';
import { findObject, synthIssues, synthObjects } from '../testing/index.js';

describe('selectors that cannot collide', () => {
  it.each([
    ['an agent', (s: Construct, z: Zone) => new Agent(s, 'a', { namespace: 'agents', zone: z, podLabels: {} })],
    ['an endpoint', (s: Construct, z: Zone) => new Tool(s, 't', { namespace: 'tools', zone: z, podLabels: {}, ports: [Port.tcp(80)] })],
  ])('rejects empty podLabels on %s', (_what, make) => {
    const s = new Construct(new App(), 'policies');
    let error: unknown;
    try { make(s, new Zone(s, 'z')); } catch (e) { error = e; }
    expect(isPalisadeError(error)).toBe(true);
    expect((error as Error).message).toMatch(/podLabels must not be empty: \{\} selects every pod of the namespace/);
  });

  it('reports two agents where one selector selects the other\'s pods, naming both and the namespace', () => {
    const issues = synthIssues((s) => {
      const z = new Zone(s, 'z');
      new Agent(s, 'wide', { namespace: 'agents', zone: z, podLabels: { app: 'x' } });
      new Agent(s, 'narrow', { namespace: 'agents', zone: z, podLabels: { app: 'x', role: 'y' } });
      new Agent(s, 'elsewhere', { namespace: 'other', zone: z, podLabels: { app: 'x' } });
    });
    expect(issues).toEqual([expect.objectContaining({
      code: 'SelectorOverlap', path: 'policies/wide',
      message: 'in namespace "agents", the selector of agent "wide" (policies/wide, podLabels {"app":"x"}) also selects the pods of agent "narrow" (policies/narrow, podLabels {"app":"x","role":"y"}): both would get each other\'s access',
    })]);
  });

  it('reports an endpoint whose selector covers an agent\'s pods, but not an agent that also serves (same selector)', () => {
    const define = (toolLabels: Record<string, string>) => (s: Construct): void => {
      const z = new Zone(s, 'z');
      new Agent(s, 'gateway', { namespace: 'inference', zone: z, podLabels: { app: 'gw', tier: 'edge' } });
      new Tool(s, 'gateway-api', { namespace: 'inference', zone: z, podLabels: toolLabels, ports: [Port.tcp(8080)] });
    };
    expect(synthIssues(define({ app: 'gw' })).map((i) => `${i.code} ${i.path}`)).toEqual(['SelectorOverlap policies/gateway-api']);
    expect(synthIssues(define({ app: 'gw', tier: 'edge' }))).toEqual([]);
  });

  it('reports two agents sharing a ServiceAccount, and two GPU tenancies in one namespace', () => {
    const issues = synthIssues((s) => {
      const z = new Zone(s, 'z');
      const whole = new GpuTenancy(s, 'whole', { mode: 'whole', quota: { 'nvidia.com/gpu': 1 } });
      const mig = new GpuTenancy(s, 'mig', { mode: 'mig', quota: { 'nvidia.com/mig-1g.10gb': 1 } });
      new Agent(s, 'a', { namespace: 'train', zone: z, podLabels: { app: 'a' }, serviceAccount: 'trainer', gpu: whole });
      new Agent(s, 'b', { namespace: 'train', zone: z, podLabels: { app: 'b' }, serviceAccount: 'trainer', gpu: mig });
    });
    expect(issues).toEqual([
      expect.objectContaining({ code: 'IdentityConflict', path: 'policies/b', message: 'agents "a" (policies/a) and "b" share the ServiceAccount train/trainer: an identity is one agent' }),
      expect.objectContaining({ code: 'GpuTenancyConflict', path: 'policies/b', message: expect.stringMatching(/namespace "train" has GPU tenancy "whole" \(agent "a", policies\/a\) and "mig" \(agent "b"\)/) }),
    ]);
  });

  it('reports spawns() of an agent outside the policy set', () => {
    const issues = synthIssues((s) => {
      const z = new Zone(s, 'z');
      const other = new Agent(new Construct(new App(), 'elsewhere'), 'ghost', { namespace: 'x', zone: new Zone(new Construct(new App(), 'e2'), 'z') });
      new Agent(s, 'a', { namespace: 'agents', zone: z }).spawns(other);
    });
    expect(issues).toEqual([expect.objectContaining({ code: 'UnknownReference', path: 'policies/a', message: 'spawns agent "ghost", which is not declared in this policy set' })]);
  });
});

describe('CIDR fallbacks keep the guardrails', () => {
  const org = (cidr: string, opts: { wide?: boolean; kubeApi?: boolean } = {}) => (s: Construct): void => {
    const z = new Zone(s, 'z');
    const api = new ExternalEndpoint(s, 'api', { host: 'api.example.com', cidrFallback: [cidr], ...(opts.wide ? { allowWideFallback: true } : {}) });
    new Agent(s, 'a', { namespace: 'agents', zone: z, podLabels: { app: 'a' }, ...(opts.kubeApi ? { allowKubeApi: true } : {}) }).allowTo(api);
  };
  const cluster = { kubeApiServerCidrs: ['10.96.0.1/32'] };

  it.each([
    ['0.0.0.0/0', 'kubernetes', /cidrFallback 0\.0\.0\.0\/0 of ExternalEndpoint "api" contains cloud metadata \(100\.100\.100\.200\/32, 169\.254\.169\.254\/32, 169\.254\.170\.2\/32, 169\.254\.170\.23\/32\) and the kube-apiserver \(10\.96\.0\.1\/32\), which agent "a" may not reach/],
    ['10.0.0.0/8', 'kubernetes', /cidrFallback 10\.0\.0\.0\/8 .* contains the kube-apiserver \(10\.96\.0\.1\/32\)/],
    ['169.254.0.0/16', 'calico', /contains cloud metadata \(169\.254\.169\.254\/32, 169\.254\.170\.2\/32, 169\.254\.170\.23\/32\)/],
  ] as const)('a fallback of %s is a synth error on %s unless acknowledged', (cidr, network, message) => {
    expect(synthIssues(org(cidr), { ...cluster, network })).toEqual([expect.objectContaining({ code: 'WideCidrFallback', path: 'policies/a/allowTo/external/api', message: expect.stringMatching(message), hint: expect.stringMatching(/allowWideFallback: true/) })]);
  });

  it('an acknowledged wide fallback still excludes metadata and the API server, inside the private and link-local blocks it cuts out (A4: Calico matches pod IPs with CIDRs)', () => {
    const np = findObject(synthObjects(org('0.0.0.0/0', { wide: true }), cluster), 'NetworkPolicy', 'a-egress', 'agents').spec as { egress: Array<{ to: unknown[] }> };
    expect(np.egress[0]?.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }]);
    const calico = findObject(synthObjects(org('0.0.0.0/0', { wide: true, kubeApi: true }), { ...cluster, network: 'calico' }), 'NetworkPolicy', 'palisade.a-egress', 'agents').spec as { egress: Array<{ destination: unknown }> };
    expect(calico.egress[0]?.destination).toMatchObject({ nets: ['0.0.0.0/0'], notNets: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] });
  });

  it('a fallback inside a private block (an internal service) is kept as written, less metadata and the API server', () => {
    const np = findObject(synthObjects(org('10.0.0.0/8', { wide: true }), cluster), 'NetworkPolicy', 'a-egress', 'agents').spec as { egress: Array<{ to: unknown[] }> };
    expect(np.egress[0]?.to).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.1/32'] } }]);
  });

  it('a narrow fallback needs nothing', () => {
    expect(synthIssues(org('203.0.113.0/24'), cluster)).toEqual([]);
  });
});
