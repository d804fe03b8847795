/**
 * The second oracle, for Calico: network-config-analyzer 2.1.0 (PyPI, installed into palisade's
 * cache) and `palisade analyze` must allow exactly the same connections on
 *  - hand-written Calico scenarios (test/fixtures/calico-oracle: order, Deny/Allow/Pass, selector
 *    expressions, nets/notNets, ports/notPorts, Kubernetes NetworkPolicy mixed into the default tier);
 *  - palisade's own synthesized prod-calico cluster.
 * NCA 2.1.0 knows neither Calico tiers nor ClusterNetworkPolicy: the synthesized input is compared
 * with its policies moved to the default tier (palisade's tier also ends in Deny) and without the
 * ClusterNetworkPolicy; tier ordering itself is covered by palisade's own tests only.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { analyze, parseManifests, representativeWorkloads } from '../../lib/analysis/index.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { loadCluster, synthesize } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { canonical, ensureNca, ncaConnectivity, palisadeEdges, parseNca } from '../support/nca.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'calico-oracle');

async function compare(text: string): Promise<{ ours: string[]; theirs: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-nca-'));
  const file = join(dir, 'all.yaml');
  await writeFile(file, text);
  const theirs = canonical(parseNca(await ncaConnectivity(await ensureNca(), file)));
  // NCA gives pods no addresses (a `nets` rule never matches a pod there); Felix matches pod IPs,
  // which palisade models as a range (lib/analysis/dataplane-semantics.test.ts, A4). Compared on NCA's model.
  const ours = canonical(palisadeEdges(analyze(parseManifests(text, file), { podCidrs: [] })));
  return { ours, theirs };
}

/**
 * prod-calico as NCA can read it: policies in the default tier, no ClusterNetworkPolicy, and no
 * `serviceAccountSelector` or rule `serviceAccounts` (NCA 2.1.0 rejects both). The label selectors beside it stay: on
 * admitted pods they select the same pods, since admission binds an agent's labels to its
 * ServiceAccount (lib/analysis/identity.test.ts covers the ServiceAccount selectors themselves).
 */
/** Rules without `source/destination.serviceAccounts`. */
function withoutServiceAccounts(spec: Record<string, unknown>): Record<string, unknown> {
  const strip = (rules: unknown): unknown => (Array.isArray(rules) ? rules.map((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => {
    if ((k !== 'source' && k !== 'destination') || typeof v !== 'object' || v === null) return [k, v];
    const { serviceAccounts: _s, ...rest } = v as Record<string, unknown>;
    return [k, rest];
  }))) : rules);
  return { ...spec, ...(spec['ingress'] ? { ingress: strip(spec['ingress']) } : {}), ...(spec['egress'] ? { egress: strip(spec['egress']) } : {}) };
}

async function synthesizedCalico(): Promise<string> {
  const result = synthesize(definePolicies, await loadCluster(join(REPO_ROOT, 'clusters'), 'prod-calico'));
  const kept = [...result.objects, ...representativeWorkloads(result.model)].flatMap((o): KubeObject[] => {
    if (['Namespace', 'Deployment'].includes(o.kind)) return [o];
    if (o.kind !== 'GlobalNetworkPolicy' && o.kind !== 'NetworkPolicy') return [];
    const { tier: _tier, serviceAccountSelector: _sa, ...spec } = (o as unknown as { spec: Record<string, unknown> }).spec;
    return [{ ...o, metadata: { ...o.metadata, name: o.metadata.name.replace(/^palisade\./, '') }, spec: withoutServiceAccounts(spec) }];
  });
  return kept.map((o) => dump(o, { noRefs: true })).join('---\n');
}

const scenarios = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yaml') && !f.startsWith('_')).sort();

describe.skipIf(skipWithout('python3'))('network-config-analyzer (live) agrees with palisade analyze on Calico', () => {
  it('has scenarios to compare', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(5);
  });

  it.each(scenarios)('on %s', async (scenario) => {
    const workloads = await readFile(join(FIXTURES, '_workloads.yaml'), 'utf8');
    const { ours, theirs } = await compare(`${workloads}\n---\n${await readFile(join(FIXTURES, scenario), 'utf8')}`);
    expect(theirs.length).toBeGreaterThan(3);
    expect(ours).toEqual(theirs);
  }, 600_000);

  it('on the synthesized prod-calico cluster (default tier)', async () => {
    const { ours, theirs } = await compare(await synthesizedCalico());
    expect(theirs.some((l) => l.startsWith('agents/research-agent[Deployment] => data/vector-db[Deployment] : TCP 6333'))).toBe(true);
    expect(theirs.some((l) => l.startsWith('agents/coding-agent[Deployment] => data/'))).toBe(false);
    expect(ours).toEqual(theirs);
  }, 600_000);
});
