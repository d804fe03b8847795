import { loadGitOpsConfig } from '../../lib/gitops/config.js';
import { gitopsFiles } from '../../lib/gitops/write.js';
import { listClusters } from '../../lib/cluster/load.js';
import { renderFiles, toYaml } from '../../lib/synth/write.js';
import { publish } from '../source/publish.js';
import { EXIT } from './exit.js';
import { revisionFiles, synthesizeFiles } from './synth.js';
import type { SourceFlags } from './revision.js';

export interface PublishFlags extends Omit<SourceFlags, 'cluster'> { readonly branch?: string; readonly remote: string; readonly config?: string }

/** The rendered-manifests pattern: synthesize every cluster and commit the tree to a branch. */
export async function runPublish(flags: PublishFlags): Promise<number> {
  const source = await revisionFiles({ ...flags, cluster: [] });
  const gitops = await loadGitOpsConfig(source.config);
  const results = await synthesizeFiles(source, []);
  const files = new Map<string, string>();
  for (const r of results) for (const [name, text] of renderFiles(r)) files.set(`${r.cluster.name}/${name}`, text);
  if (gitops) for (const [name, objs] of gitopsFiles({ ...gitops, layout: 'rendered' }, await listClusters(source.clusters))) files.set(`gitops/${name}`, objs.map(toYaml).join('---\n'));
  const branch = flags.branch ?? gitops?.renderedBranch ?? 'rendered';
  const result = await publish({ repoDir: source.dir, branch, remote: flags.remote, files });
  process.stdout.write(result.committed
    ? `committed ${result.commit.slice(0, 12)} to ${branch} (source ${result.sourceCommit.slice(0, 12)}, ${files.size} files)\n`
    : `${branch} already holds the output of ${result.sourceCommit.slice(0, 12)}: no commit\n`);
  return EXIT.ok;
}

