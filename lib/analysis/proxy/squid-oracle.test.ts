import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, EgressProxy, ExternalEndpoint, loadCluster, Port, synthesize, Zone, type KubeObject, type SynthResult } from '../../index.js';
import { definePolicies } from '../../../policies/index.js';
import { REPO_ROOT } from '../../../test/support/shared.js';
import { ensureSquid, squidVerdict, startSquid, type SquidInstall } from '../../../test/support/squid.js';
import { skipWithout } from '../../../test/support/tools.js';
import { hostPattern } from '../../core/hosts.js';
import { parseSquidConfig, sampleName, squidAllows } from './squid.js';

/**
 * The egress proxy's generated configuration read by palisade's analyser and by Squid itself (an
 * implementation nobody here wrote): for every listener, every host the configuration names and
 * its near misses (the bare domain of a wildcard, two labels deep, a suffix attack, other case, an
 * IP literal), on the configured ports and others, the two must give the same verdict.
 */

/** A crafted policy set: ports and ranges, a one-label and a several-label wildcard, two agents sharing one host on different ports. */
function crafted(scope: Construct): void {
  const z = new Zone(scope, 'z', {});
  const proxy = new EgressProxy(scope, 'proxy', { namespace: 'egress', zone: z, firstPort: 4000 });
  const api = new ExternalEndpoint(scope, 'api', { host: 'api.example.com', ports: [Port.tcp(443), Port.tcpRange(8080, 8090)] });
  const cdn = new ExternalEndpoint(scope, 'cdn', { host: '*.cdn.example.net' });
  const docs = new ExternalEndpoint(scope, 'docs', { host: '**.docs.example.org' });
  new Agent(scope, 'alpha', { namespace: 'a', zone: z }).allowTo(api, { via: proxy }).allowTo(cdn, { via: proxy }).allowTo(docs, { via: proxy });
  new Agent(scope, 'beta', { namespace: 'b', zone: z }).allowTo(api, { via: proxy, ports: [Port.tcp(8085)] });
}

const confOf = (r: SynthResult): string => {
  const cm = r.objects.find((o: KubeObject) => o.kind === 'ConfigMap' && o.metadata.name?.endsWith('-squid'));
  return String((cm as unknown as { data: Record<string, string> }).data['squid.conf']);
};

function probes(hosts: readonly string[]): string[] {
  const out = new Set<string>(['1.2.3.4', 'evil.example.org']);
  for (const h of hosts) {
    const { base } = hostPattern(h);
    for (const n of [sampleName(h), base, `a.b.${base}`, `${base}.evil.org`, `x${base}`, sampleName(h).toUpperCase()]) out.add(n);
  }
  return [...out].sort();
}

describe.skipIf(skipWithout('apt-get'))('egress proxy: analyser agrees with Squid', () => {
  let install: SquidInstall;
  beforeAll(async () => { install = await ensureSquid(); }, 180_000);

  const cases = async (): Promise<Array<[string, SynthResult]>> => {
    const local = await loadCluster(`${REPO_ROOT}/clusters`, 'local');
    return [['template (local)', synthesize(definePolicies, local)], ['crafted', synthesize(crafted, local)]];
  };
  let running: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => { await Promise.all(running.map((r) => r.stop())); });

  it('gives the same verdict for every listener, host and port', async () => {
    let compared = 0;
    for (const [name, result] of await cases()) {
      const text = confOf(result);
      const conf = parseSquidConfig(text);
      expect(conf.problems, name).toEqual([]);
      const names = probes(conf.hosts);
      const squid = await startSquid(install, text, names.filter((n) => !/^\d/.test(n)));
      running.push(squid);
      const ports = [...new Set([...conf.ports, 80, 443, 8079, 8091, 8443])].sort((a, b) => a - b);
      const requests = conf.listeners.flatMap((l) => names.flatMap((host) => ports.map((port) => ({ l, host, port }))));
      const disagreements: string[] = [];
      let allowed = 0;
      for (const { l, host, port } of requests) {
        const ours = squidAllows(conf, { listener: l.name, host, port }) ? 'allow' : 'deny';
        const theirs = await squidVerdict(squid.portOf.get(l.port)!, host, port);
        if (ours === 'allow') allowed++;
        if (ours !== theirs) disagreements.push(`${name}: listener ${l.name} (${l.port}) ${host}:${port} palisade ${ours}, squid ${theirs}`);
      }
      compared += requests.length;
      expect(disagreements).toEqual([]);
      expect(allowed, `${name}: some requests are allowed`).toBeGreaterThan(0);
      await squid.stop();
      running = running.filter((r) => r !== squid);
    }
    console.log(`egress proxy oracle: ${compared} requests compared with Squid ${install.version}, 0 disagreements`);
  }, 300_000);
});
