/**
 * E10 of the dataplane review: `*.wikipedia.org` is one label on every backend (Cilium's
 * matchPattern, the generated Squid regex), so en.m.wikipedia.org stays out; `**.wikipedia.org`
 * (Cilium 1.19+) is one or more labels. Checked by meaning: the analysis of the synthesized
 * output (Cilium) and the analyser's reading of the generated squid.conf (the Squid oracle test
 * compares that reading with Squid itself), not by the objects' text.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis/analyze.js';
import { synthesizedInput } from '../analysis/index.js';
import { parseSquidConfig, squidAllows } from '../analysis/proxy/squid.js';
import type { KubeObject } from '../core/resource-id.js';
import { Agent, EgressProxy, ExternalEndpoint, Port, Zone, type PolicyDefinition } from '../index.js';
import { synthesize } from '../synth/synthesize.js';
import { testCluster } from '../testing/index.js';
import { hostPattern } from '../core/hosts.js';

function reader(host: string, proxied: boolean): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const web = new ExternalEndpoint(scope, 'wiki', { host, ports: [Port.tcp(443)] });
    const agent = new Agent(scope, 'reader', { namespace: 'agents', zone, podLabels: { app: 'reader' } });
    if (proxied) agent.allowTo(web, { via: new EgressProxy(scope, 'proxy', { namespace: 'egress', zone }) });
    else agent.allowTo(web);
  };
}

/** Another namespace's policy names the deeper names, so the analysis has peers for them. */
const namer: KubeObject = {
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'names', namespace: 'other' },
  spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'en.m.wikipedia.org' }, { matchName: 'en.wikipedia.org' }, { matchName: 'wikipedia.org' }] }] },
};

function ciliumReach(host: string): string[] {
  const cluster = testCluster({ network: 'cilium' });
  const r = synthesize(reader(host, false), cluster);
  return analyze([...synthesizedInput(cluster.name, r.objects, r.model), { object: namer, source: 'test' }]).connections
    .filter((c) => c.src.id.startsWith('agents/') && c.dst.type === 'dns' && !c.dst.id.includes('*')).map((c) => `${c.dst.id} ${c.conns.toString()}`).sort();
}

function squidVerdicts(host: string): Record<string, boolean> {
  const r = synthesize(reader(host, true), testCluster({ network: 'kubernetes' }));
  const cm = r.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-squid')) as unknown as { data: Record<string, string> };
  const conf = parseSquidConfig(cm.data['squid.conf']!);
  expect(conf.problems).toEqual([]);
  const listener = conf.listeners[0]!.name;
  return Object.fromEntries(['en.wikipedia.org', 'en.m.wikipedia.org', 'wikipedia.org', 'en.wikipedia.org.evil.net'].map((name) => [name, squidAllows(conf, { listener, host: name, port: 443 })]));
}

describe('host patterns: one label or several (E10)', () => {
  it('reads the three forms, and refuses other wildcards naming the host', () => {
    expect(hostPattern('**.wikipedia.org')).toEqual({ wildcard: 'labels', base: 'wikipedia.org' });
    expect(hostPattern('*.wikipedia.org')).toEqual({ wildcard: 'one-label', base: 'wikipedia.org' });
    expect(hostPattern('wikipedia.org')).toEqual({ wildcard: 'none', base: 'wikipedia.org' });
    for (const bad of ['***.wikipedia.org', '*.*.wikipedia.org', 'en.*.wikipedia.org', '**.org']) {
      expect(() => synthesize(reader(bad, false), testCluster({ network: 'cilium' })), bad).toThrow(new RegExp(`host "${bad.replace(/[.*]/g, '\\$&')}" must be a DNS name`));
    }
  });

  it('on Cilium, *. reaches en.wikipedia.org only and **. reaches en.m.wikipedia.org too (the DNS proxy lets the agent resolve them)', () => {
    expect(ciliumReach('*.wikipedia.org')).toEqual(['en.wikipedia.org[DNS] TCP 443']);
    expect(ciliumReach('**.wikipedia.org')).toEqual(['en.m.wikipedia.org[DNS] TCP 443', 'en.wikipedia.org[DNS] TCP 443']);
  });

  it('through the egress proxy, the generated Squid ACL reads each form the same way', () => {
    expect(squidVerdicts('*.wikipedia.org')).toEqual({ 'en.wikipedia.org': true, 'en.m.wikipedia.org': false, 'wikipedia.org': false, 'en.wikipedia.org.evil.net': false });
    expect(squidVerdicts('**.wikipedia.org')).toEqual({ 'en.wikipedia.org': true, 'en.m.wikipedia.org': true, 'wikipedia.org': false, 'en.wikipedia.org.evil.net': false });
  });
});
