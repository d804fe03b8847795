import { Construct } from 'constructs';
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Agent, DataStore, ExternalEndpoint, Http, Port, RegistryAllowList, RuntimeGuard, Tool, Zone } from '../index.js';
import { isPalisadeError } from '../core/errors.js';
import { synthIssues } from '../testing/index.js';
import { smallOrg } from '../../test/fixtures/small-org.js';

const scope = (): Construct => new Construct(new App(), 'policies');

describe('props are checked when a construct is created', () => {
  it.each([
    ['a bad agent name', () => new Agent(scope(), 'Bad_Name', { namespace: 'agents', zone: new Zone(scope(), 'z') }), /\[policies\/Bad_Name\] name "Bad_Name" must be a DNS label/],
    ['a host that is not a DNS name', () => new ExternalEndpoint(scope(), 'x', { host: 'https://api.openai.com' }), /host "https:\/\/api\.openai\.com" must be a DNS name/],
    ['a CIDR without mask', () => new ExternalEndpoint(scope(), 'x', { host: 'a.example.com', cidrFallback: ['1.2.3.4'] }), /Did you mean "1\.2\.3\.4\/32"\?/],
    ['a registry prefix without trailing slash', () => new RegistryAllowList(scope(), 'r', { prefixes: ['ghcr.io/acme'] }), /must end with "\/".*Did you mean "ghcr\.io\/acme\/"\?/],
    ['a relative executable', () => new RuntimeGuard(scope(), 'g', { allowedExecutables: ['python3'] }), /path "python3" must be absolute/],
    ['an endpoint without ports', () => new Tool(scope(), 't', { namespace: 'tools', zone: new Zone(scope(), 'z'), ports: [] }), /ports must list at least one port/],
    ['an invalid port', () => Port.tcp(70000), /Invalid port 70000/],
    ['an inverted port range', () => Port.tcpRange(9000, 8000), /Did you mean 8000-9000\?/],
    ['a relative HTTP path', () => Http.get('v1/models'), /Did you mean "\/v1\/models"\?/],
  ])('rejects %s', (_what, make, message) => {
    let error: unknown;
    try { make(); } catch (e) { error = e; }
    expect(isPalisadeError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('model checks at synth', () => {
  it('denies traffic between zones unless the source zone allows the flow', () => {
    expect(synthIssues(smallOrg({ crossZone: 'denied' }))).toEqual([expect.objectContaining({
      code: 'CrossZone', path: 'policies/researcher/allowTo/endpoint/dataset',
      message: expect.stringMatching(/agent "researcher" \(zone inference\) may not reach endpoint "dataset" in zone training/),
      hint: expect.stringMatching(/allowFlowTo/),
    })]);
    expect(synthIssues(smallOrg({ crossZone: 'allowed' }))).toEqual([]);
  });

  it('reports every problem at once, each with its construct path', () => {
    const issues = synthIssues((s) => {
      const z = new Zone(s, 'z');
      const other = new Zone(s, 'other');
      const db = new DataStore(s, 'db', { namespace: 'data', zone: z, ports: [Port.tcp(5432)] });
      new DataStore(s, 'cache', { namespace: 'data', zone: other, ports: [Port.tcp(6379)] });
      const a = new Agent(s, 'a', { namespace: 'agents', zone: z });
      const b = new Agent(s, 'b', { namespace: 'agents', zone: z, name: 'a' });
      a.allowTo(db, { ports: [Port.tcp(5433)] });
      a.allowTo(b);
    });
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'DuplicateName policies/b',
      'ZoneConflict policies/db',
      'SelectorOverlap policies/b',
      'IdentityConflict policies/b',
      'PortsRequired policies/a/allowTo/agent/a',
      'PortNotServed policies/a/allowTo/endpoint/db',
    ]);
  });
});
