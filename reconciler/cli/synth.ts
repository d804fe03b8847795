import { join, resolve } from 'node:path';
import { loadGitOpsConfig } from '../../lib/gitops/config.js';
import { writeGitOps } from '../../lib/gitops/write.js';
import type { Command } from 'commander';
import { listClusters, loadCluster, synthesize, writeSynthOutput, type PolicyDefinition, type SynthResult } from '../../lib/index.js';
import { describeError, PalisadeError } from '../../lib/core/errors.js';
import { action, EXIT } from './action.js';
import { analyzeCluster, evaluateProbes, loadReviewConfig, sideClusterOf, type ReviewConfig } from '../../lib/review/index.js';

export interface SynthFlags {
  readonly config: string;
  readonly cluster: string[];
  readonly out: string;
  readonly policies: string;
  readonly clusters: string;
}

/** Loads the policy definition (`definePolicies`) from a module path. */
export async function loadPolicies(modulePath: string): Promise<PolicyDefinition> {
  const mod = (await import(resolve(modulePath)).catch((e: unknown) => {
    throw new PalisadeError('InvalidInput', `Cannot load policies from ${modulePath}: ${(e as Error).message}`, { hint: 'pass --policies FILE exporting definePolicies(scope, cluster)' });
  })) as { definePolicies?: unknown };
  if (typeof mod.definePolicies !== 'function') throw new PalisadeError('InvalidInput', `${modulePath} does not export a function definePolicies(scope, cluster)`);
  return mod.definePolicies as PolicyDefinition;
}

/** Synthesizes the selected clusters (all when none is named); every cluster's errors are reported. */
export async function synthClusters(flags: Pick<SynthFlags, 'cluster' | 'policies' | 'clusters'>): Promise<SynthResult[]> {
  const define = await loadPolicies(flags.policies);
  const names = flags.cluster.length > 0 ? flags.cluster : await listClusters(flags.clusters);
  if (names.length === 0) throw new PalisadeError('InvalidInput', `no clusters found in ${flags.clusters} (each needs <name>/cluster.yaml)`);
  const results: SynthResult[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      results.push(synthesize(define, await loadCluster(flags.clusters, name)));
    } catch (e) {
      errors.push(describeError(e));
    }
  }
  if (errors.length > 0) throw new PalisadeError('SynthFailed', errors.join('\n'));
  return results;
}

/** Probes declared in palisade.yaml must hold on every synthesized cluster; nothing is written otherwise. */
function checkProbes(results: readonly SynthResult[], config: ReviewConfig): void {
  const failures = results.flatMap((r) => evaluateProbes(r.cluster.name, config.probes, analyzeCluster(sideClusterOf(r))).filter((p) => !p.ok));
  if (failures.length === 0) return;
  throw new PalisadeError('SynthFailed', `probe(s) violated, nothing written:\n${failures.map((f) => `  ${f.cluster}: "${f.probe}" expects ${f.expect} but the policies ${f.after}`).join('\n')}`, {
    hint: 'palisade analyze --cluster NAME --from SRC --to DST explains which rule allows or denies it',
  });
}

async function synth(flags: SynthFlags): Promise<number> {
  const gitops = await loadGitOpsConfig(flags.config);
  const results = await synthClusters(flags);
  checkProbes(results, await loadReviewConfig(flags.config));
  for (const r of results) {
    const dir = await writeSynthOutput(r, flags.out);
    process.stdout.write(`${r.cluster.name}: ${r.objects.length} objects → ${dir} (${r.cluster.network} + ${r.cluster.admission}${r.cluster.runtime === 'none' ? '' : ` + ${r.cluster.runtime}`})\n`);
  }
  if (gitops) {
    const files = await writeGitOps(gitops, await listClusters(flags.clusters), flags.out);
    process.stdout.write(`gitops (${gitops.layout} layout): ${files.length} files → ${join(flags.out, 'gitops')}\n`);
  }
  return EXIT.ok;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--policies <file>', 'module exporting definePolicies(scope, cluster)', 'policies/index.ts')
    .option('--clusters <dir>', 'directory of cluster configurations', 'clusters');
}

/** `palisade synth`: policies → per-cluster manifests, validated offline against their schemas. */
export function registerSynth(program: Command): void {
  addSourceOptions(program.command('synth')
    .description('synthesize policies for each cluster into DIR/<cluster>/ (one file per object, kustomization.yaml, palisade-index.json)')
    .option('-c, --cluster <name>', 'cluster to synthesize (repeatable; default: all in clusters/)', collect, [])
    .option('-o, --out <dir>', 'output directory', 'dist')
    .option('--config <file>', 'repository configuration (gitops: Argo CD / Flux objects under DIR/gitops/)', 'palisade.yaml'))
    .action(action(synth));
}
