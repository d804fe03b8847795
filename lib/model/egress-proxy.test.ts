import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Agent, EgressProxy, ExternalEndpoint, Port, synthesize, Tool, Zone, type ClusterSpec } from '../index.js';
import { analyze, synthesizedInput } from '../analysis/index.js';
import { parseClusterSpec } from '../cluster/load.js';

const cluster = (network: string): ClusterSpec => parseClusterSpec(`network: ${network}\nadmission: vap\n`, 'cluster.yaml', 'x');

function policies(opts: { proxyZone?: 'same' | 'other' } = {}) {
  return (scope: Construct): void => {
    const z = new Zone(scope, 'z', {});
    const other = new Zone(scope, 'other', {});
    const proxy = new EgressProxy(scope, 'proxy', { namespace: 'egress', zone: opts.proxyZone === 'other' ? other : z });
    const web = new ExternalEndpoint(scope, 'web', { host: 'api.example.com' });
    const docs = new ExternalEndpoint(scope, 'docs', { host: '*.docs.example.org', ports: [Port.tcp(8443)] });
    new Agent(scope, 'b-agent', { namespace: 'agents', zone: z }).allowTo(web, { via: proxy });
    new Agent(scope, 'a-agent', { namespace: 'agents', zone: z }).allowTo(docs, { via: proxy });
  };
}

describe('egress proxy lowering', () => {
  it('gives each agent its own port from its name, and the proxy only public addresses on the destinations\' ports', () => {
    const r = synthesize(policies(), cluster('kubernetes'));
    expect(r.model.egressProxies[0]!.listeners.map((l) => [l.agent, l.port, l.destinations.map((d) => d.host)])).toEqual([['a-agent', 3544, ['*.docs.example.org']], ['b-agent', 3897, ['api.example.com']]]);
    const a = analyze(synthesizedInput('x', r.objects, r.model));
    expect(a.proxied.map((p) => `${p.src.name} ${p.host} ${p.conns.toString()}`).sort()).toEqual(['a-agent *.docs.example.org TCP 8443', 'b-agent api.example.com TCP 443']);
    const proxyOut = a.connections.filter((c) => c.src.id === 'egress/proxy[Deployment]' && c.dst.type === 'ip');
    expect(proxyOut.map((c) => c.conns.toString())).toEqual(proxyOut.map(() => 'TCP 443,8443'));
    expect(proxyOut.some((c) => c.dst.type === 'ip' && c.dst.range[0] <= 0x0a000001 && 0x0a000001 <= c.dst.range[1])).toBe(false);
  });

  it('keeps every agent\'s port when another agent starts using the proxy, and moves only the later of two names on one slot', () => {
    const portsWith = (names: readonly string[]): Record<string, number> => {
      const r = synthesize((scope: Construct) => {
        const z = new Zone(scope, 'z', {});
        const proxy = new EgressProxy(scope, 'proxy', { namespace: 'egress', zone: z });
        const web = new ExternalEndpoint(scope, 'web', { host: 'api.example.com' });
        for (const n of names) new Agent(scope, n, { namespace: 'agents', zone: z }).allowTo(web, { via: proxy });
      }, cluster('kubernetes'));
      return Object.fromEntries(r.model.egressProxies[0]!.listeners.map((l) => [l.agent, l.port]));
    };
    expect(portsWith(['b-agent', 'c-agent'])).toEqual({ 'b-agent': 3897, 'c-agent': expect.any(Number) });
    const before = portsWith(['b-agent', 'c-agent']);
    expect(portsWith(['a-agent', 'b-agent', 'c-agent'])).toEqual({ ...before, 'a-agent': 3544 });
    // FNV-1a puts agent-49 and agent-52 on slot 450: the first in name order keeps it.
    expect(portsWith(['agent-52', 'agent-49'])).toEqual({ 'agent-49': 3578, 'agent-52': 3579 });
    expect(portsWith(['agent-52'])).toEqual({ 'agent-52': 3578 });
  });

  it('on a DNS-aware dataplane lets the proxy out by name only', () => {
    const r = synthesize(policies(), cluster('cilium'));
    const a = analyze(synthesizedInput('x', r.objects, r.model));
    expect(a.connections.filter((c) => c.src.id === 'egress/proxy[Deployment]' && c.dst.type === 'ip')).toEqual([]);
    expect(a.proxied.map((p) => `${p.src.name} ${p.host}`).sort()).toEqual(['a-agent *.docs.example.org', 'b-agent api.example.com']);
  });

  it('reaches nothing through the proxy when the proxy cannot get out', () => {
    const r = synthesize(policies(), cluster('kubernetes'));
    const objects = r.objects.filter((o) => o.metadata.name !== 'proxy-egress');
    expect(analyze(synthesizedInput('x', objects, r.model)).proxied).toEqual([]);
  });

  it('checks the agent-to-proxy flow against zones', () => {
    expect(() => synthesize(policies({ proxyZone: 'other' }), cluster('kubernetes'))).toThrow(/CrossZone: agent "a-agent" \(zone z\) may not reach agent "proxy" in zone other/);
  });

  it('rejects via for an in-cluster destination and with HTTP rules, naming the construct', () => {
    expect(() => synthesize((scope) => {
      const z = new Zone(scope, 'z', {});
      const proxy = new EgressProxy(scope, 'proxy', { namespace: 'egress', zone: z });
      new Agent(scope, 'a', { namespace: 'agents', zone: z }).allowTo(new Tool(scope, 't', { namespace: 'tools', zone: z, ports: [Port.tcp(80)] }), { via: proxy });
    }, cluster('kubernetes'))).toThrow(/\[policies\/a\] allowTo\(t, \{ via: proxy \}\): only an ExternalEndpoint can be reached through an egress proxy/);
  });
});
