/**
 * E9 (dataplane-semantics review), by meaning: the cloud-metadata guard covers every governed
 * namespace and every metadata endpoint, so even a foreign allow-all egress in a tool's namespace
 * (tool servers are the classic SSRF pivot) reaches none of them, while the rest of the internet
 * stays reachable through that allow.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis/analyze.js';
import type { KubeObject } from '../core/resource-id.js';
import { synthesizedInput } from '../analysis/index.js';
import { parseIPv4 } from '../analysis/ip.js';
import { synthesize } from '../synth/synthesize.js';
import { testCluster } from '../testing/index.js';
import { smallOrg } from '../../test/fixtures/small-org.js';
import { CLOUD_METADATA_CIDRS } from './selectors.js';
import { loadCluster } from '../cluster/load.js';
import { definePolicies } from '../../policies/index.js';

const openEgress: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'open', namespace: 'tools' }, spec: { endpointSelector: {}, egress: [{ toCIDR: ['0.0.0.0/0'] }] } };

describe('E9: the metadata guard', () => {
  it('on Cilium, a tool pod with a foreign allow-all egress reaches no metadata endpoint, and still reaches the internet', () => {
    const cluster = testCluster({ network: 'cilium' });
    const r = synthesize(smallOrg(), cluster);
    const a = analyze([...synthesizedInput(cluster.name, r.objects, r.model), { object: openEgress, source: 'foreign' }]);
    const fromTool = a.connections.filter((c) => c.src.id.startsWith('tools/'));
    const reached = fromTool.map((c) => c.dst.id);
    expect(reached.some((d) => d.includes('0.0.0.0')), reached.join(', ')).toBe(true);
    // IP peers are address ranges `lo-hi[External]`: none may contain a metadata address.
    const ranges = reached.map((d) => /^([\d.]+)-([\d.]+)\[External\]$/.exec(d)).filter((m) => m !== null).map((m) => [parseIPv4(m[1]!)!, parseIPv4(m[2]!)!] as const);
    expect(ranges.length).toBeGreaterThan(0);
    for (const m of CLOUD_METADATA_CIDRS) {
      const ip = parseIPv4(m.replace('/32', ''))!;
      expect(ranges.filter(([lo, hi]) => lo <= ip && ip <= hi), m).toEqual([]);
    }
  });
});

describe('IPv6 cloud metadata (E9)', () => {
  it('is denied explicitly where allows can reach IPv6 (Cilium egressDeny, ClusterNetworkPolicy), and the IPv4 analysis is not disturbed by it', async () => {
    for (const name of ['prod-cilium', 'prod-calico']) {
      const cluster = await loadCluster(`${process.cwd()}/clusters`, name);
      const r = synthesize(definePolicies, cluster);
      const deny = r.objects.filter((o) => JSON.stringify(o).includes('fd00:ec2::254/128'));
      expect(deny.map((o) => o.kind), name).toEqual(name === 'prod-cilium' ? ['CiliumClusterwideNetworkPolicy'] : ['ClusterNetworkPolicy']);
      expect(JSON.stringify(deny)).toContain('fd00:ec2::23/128');
      expect(analyze(synthesizedInput(name, r.objects, r.model)).warnings.filter((w) => w.includes('IPv6')), name).toEqual([]);
    }
  });
});
