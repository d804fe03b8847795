/**
 * Property tests: for any valid organisation and any backend, synthesis is deterministic and every
 * agent namespace is default-deny.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Agent, DataStore, ExternalEndpoint, Port, renderFiles, synthesize, Zone, type PolicyDefinition } from '../../lib/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { assertDefaultDeny, identityViolations, impostors } from './invariants.js';

interface OrgShape {
  readonly agents: ReadonlyArray<{ ns: number; app: string }>;
  readonly stores: ReadonlyArray<{ ns: number; port: number }>;
  readonly edges: ReadonlyArray<[number, number]>;
  readonly external: boolean;
}

const NAMESPACES = ['agents', 'tools', 'data', 'batch'];

const shape: fc.Arbitrary<OrgShape> = fc.record({
  agents: fc.array(fc.record({ ns: fc.nat(3), app: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/) }), { minLength: 1, maxLength: 5 }),
  stores: fc.array(fc.record({ ns: fc.nat(3), port: fc.integer({ min: 1, max: 65535 }) }), { maxLength: 3 }),
  edges: fc.array(fc.tuple(fc.nat(4), fc.nat(2)), { maxLength: 6 }),
  external: fc.boolean(),
});

function org(s: OrgShape): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const stores = s.stores.map((d, i) => new DataStore(scope, `store${i}`, { namespace: NAMESPACES[d.ns]!, zone, ports: [Port.tcp(d.port)] }));
    const agents = s.agents.map((a, i) => new Agent(scope, `agent${i}`, { namespace: NAMESPACES[a.ns]!, zone, podLabels: { app: `${a.app}-${i}` } }));
    const ext = s.external ? new ExternalEndpoint(scope, 'api', { host: 'api.example.com', cidrFallback: ['203.0.113.0/24'] }) : undefined;
    for (const [from, to] of s.edges) {
      const agent = agents[from % agents.length]!;
      const store = stores[to % Math.max(stores.length, 1)];
      if (store) agent.allowTo(store);
    }
    if (ext) agents[0]!.allowTo(ext);
  };
}

describe.each(['kubernetes', 'cilium', 'calico'] as const)('any organisation on %s', (network) => {
  it('synthesizes byte-for-byte the same output twice, with every agent namespace default-deny', () => {
    fc.assert(fc.property(shape, (s) => {
      // Duplicate edges are allowed; calico and kubernetes need the CIDR fallback, which the shape always sets.
      const cluster = testCluster({ network });
      const first = synthesize(org(s), cluster);
      const second = synthesize(org(s), cluster);
      expect([...renderFiles(second)]).toEqual([...renderFiles(first)]);
      assertDefaultDeny(first);
    }), { numRuns: 40 });
  });

  it('allows between workloads only the declared edges, and nothing to or from a pod outside an agent\'s identity', () => {
    // Plain NetworkPolicy selects by labels only: a pod borrowing an agent's labels is stopped at
    // admission (test/integration/synth-apiserver.int.test.ts), not by the dataplane.
    const labels = network !== 'kubernetes';
    fc.assert(fc.property(shape, (s) => {
      const result = synthesize(org(s), testCluster({ network }));
      expect(identityViolations(result, impostors(result, { labels }))).toEqual([]);
    }), { numRuns: 12 });
  });
});
