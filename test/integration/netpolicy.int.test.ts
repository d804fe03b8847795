/**
 * The live oracle: np-guard's `netpolicy` v1.4.4 (built from the Go module proxy, cached) and
 * `palisade analyze` list the same connections for palisade's own synthesized kubernetes-backend
 * output (with the representative workloads), and for an AdminNetworkPolicy variant of it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { analyze, formatConnlist, readManifests } from '../../lib/analysis/index.js';
import { representativeWorkloads } from '../../lib/analysis/representatives.js';
import { silentProgress } from '../../lib/core/progress.js';
import { loadCluster, synthesize } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { ensureBinary, netpolicySpec } from '../../reconciler/controlplane/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);

/** v1.4.4 prints IP ranges without the `[External]` suffix that later versions (and palisade) add. */
const lines = (text: string): string[] => text.replace(/\[External\]/g, '').trim().split('\n').filter(Boolean).sort();

async function synthesizedDir(extra: object[] = []): Promise<string> {
  const result = synthesize(definePolicies, await loadCluster(join(REPO_ROOT, 'clusters'), 'local'));
  const dir = await mkdtemp(join(tmpdir(), 'palisade-netpolicy-'));
  const objects = [...result.objects, ...representativeWorkloads(result.model), ...extra].filter((o) => ['Namespace', 'NetworkPolicy', 'Deployment', 'AdminNetworkPolicy'].includes((o as { kind: string }).kind));
  await writeFile(join(dir, 'all.yaml'), objects.map((o) => dump(o, { noRefs: true })).join('---\n'));
  return dir;
}

async function compare(dir: string): Promise<{ ours: string[]; theirs: string[] }> {
  const netpolicy = await ensureBinary(netpolicySpec(), { progress: silentProgress });
  const { stdout } = await run(netpolicy, ['list', '--dirpath', dir], { maxBuffer: 64 * 1024 * 1024 });
  return { ours: lines(formatConnlist(analyze(await readManifests([dir])))), theirs: lines(stdout) };
}

describe.skipIf(skipWithout('go'))('netpolicy (live) agrees with palisade analyze', () => {
  it('on the synthesized local (kubernetes NetworkPolicy) cluster', async () => {
    const { ours, theirs } = await compare(await synthesizedDir());
    expect(theirs.length).toBeGreaterThan(5);
    expect(ours).toEqual(theirs);
  }, 600_000);

  it('with an AdminNetworkPolicy that denies the research agent the vector database', async () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'deny-vector-db' },
      spec: { priority: 5, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } }, ingress: [{ name: 'deny-research', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'agents' } } }] }] },
    };
    const { ours, theirs } = await compare(await synthesizedDir([anp]));
    expect(theirs.some((l) => l.startsWith('agents/research-agent[Deployment] => data/vector-db'))).toBe(false);
    expect(ours).toEqual(theirs);
  }, 600_000);
});
