import { join, resolve } from 'node:path';
import { listClusters } from '../../lib/cluster/load.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { loadGitOpsConfig } from '../../lib/gitops/config.js';
import { writeGitOps } from '../../lib/gitops/write.js';
import { analyzeCluster, evaluateProbes, loadReviewConfig, sideClusterOf, type ReviewConfig } from '../../lib/review/index.js';
import type { SynthResult } from '../../lib/synth/synthesize.js';
import { writeSynthOutput } from '../../lib/synth/write.js';
import { synthesizeAll } from '../sandbox/index.js';
import { EXIT } from './exit.js';
import { checkoutOf, type SourceFlags } from './revision.js';

export interface SynthFlags extends SourceFlags {
  readonly out: string;
  /** @default <source>/palisade.yaml */
  readonly config?: string;
}

/** The files of one revision a command reads: its directory, policies module and clusters/. */
export interface RevisionFiles {
  readonly dir: string;
  /** `local`, or the commit of a --git revision (named in errors). */
  readonly revision: string;
  /** Relative to `dir`. */
  readonly policies: string;
  readonly clusters: string;
  readonly config: string;
}

/**
 * Where the flags' revision lives. The deprecated --policies/--clusters name files relative to the
 * current directory, as they always did.
 */
export async function revisionFiles(flags: SourceFlags & { readonly config?: string }): Promise<RevisionFiles> {
  if (flags.policies !== undefined || flags.clusters !== undefined) {
    const dir = process.cwd();
    return { dir, revision: 'local', policies: flags.policies ?? join('policies', 'index.ts'), clusters: resolve(flags.clusters ?? 'clusters'), config: resolve(flags.config ?? 'palisade.yaml') };
  }
  const checkout = await checkoutOf(flags);
  return {
    dir: checkout.dir, revision: flags.git ? checkout.revision : 'local', policies: join('policies', 'index.ts'),
    clusters: join(checkout.dir, 'clusters'), config: flags.config === undefined ? join(checkout.dir, 'palisade.yaml') : resolve(flags.config),
  };
}

/** Synthesizes the selected clusters (all when none is named) in the sandbox; every cluster's errors are reported. */
export function synthesizeFiles(files: RevisionFiles, clusters: readonly string[]): Promise<SynthResult[]> {
  return synthesizeAll({ source: files.dir, revision: files.revision, policies: files.policies, clusters: files.clusters, names: clusters });
}

/** {@link synthesizeFiles} of the flags' revision. */
export async function synthClusters(flags: SourceFlags): Promise<SynthResult[]> {
  return synthesizeFiles(await revisionFiles(flags), flags.cluster);
}

/** Probes declared in palisade.yaml must hold on every synthesized cluster; nothing is written otherwise. */
function checkProbes(results: readonly SynthResult[], config: ReviewConfig): void {
  const failures = results.flatMap((r) => evaluateProbes(r.cluster.name, config.probes, analyzeCluster(sideClusterOf(r))).filter((p) => !p.ok));
  if (failures.length === 0) return;
  throw new PalisadeError('SynthFailed', `probe(s) violated, nothing written:\n${failures.map((f) => `  ${f.cluster}: "${f.probe}" expects ${f.expect} but the policies ${f.after}`).join('\n')}`, {
    hint: 'palisade analyze --cluster NAME --from SRC --to DST explains which rule allows or denies it',
  });
}

/** `palisade synth`: policies → per-cluster manifests, validated offline against their schemas. */
export async function runSynth(flags: SynthFlags): Promise<number> {
  const files = await revisionFiles(flags);
  const gitops = await loadGitOpsConfig(files.config);
  const results = await synthesizeFiles(files, flags.cluster);
  checkProbes(results, await loadReviewConfig(files.config));
  for (const r of results) {
    const dir = await writeSynthOutput(r, flags.out);
    process.stdout.write(`${r.cluster.name}: ${r.objects.length} objects → ${dir} (${r.cluster.network} + ${r.cluster.admission}${r.cluster.runtime === 'none' ? '' : ` + ${r.cluster.runtime}`})\n`);
  }
  if (gitops) {
    const written = await writeGitOps(gitops, await listClusters(files.clusters), flags.out);
    process.stdout.write(`gitops (${gitops.layout} layout): ${written.length} files → ${join(flags.out, 'gitops')}\n`);
  }
  return EXIT.ok;
}
