import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadGitOpsConfig } from '../../lib/gitops/config.js';
import { gitopsFiles } from '../../lib/gitops/write.js';
import { listClusters, renderFiles, toYaml } from '../../lib/index.js';
import { publish } from '../source/publish.js';
import { action, EXIT } from './action.js';
import { addSourceOptions, synthClusters } from './synth.js';

interface PublishFlags { readonly branch?: string; readonly remote: string; readonly policies: string; readonly clusters: string; readonly config: string }

/** The rendered-manifests pattern: synthesize every cluster and commit the tree to a branch. */
async function run(flags: PublishFlags): Promise<number> {
  const gitops = await loadGitOpsConfig(flags.config);
  const results = await synthClusters({ ...flags, cluster: [] });
  const files = new Map<string, string>();
  for (const r of results) for (const [name, text] of renderFiles(r)) files.set(`${r.cluster.name}/${name}`, text);
  if (gitops) for (const [name, objs] of gitopsFiles({ ...gitops, layout: 'rendered' }, await listClusters(flags.clusters))) files.set(`gitops/${name}`, objs.map(toYaml).join('---\n'));
  const branch = flags.branch ?? gitops?.renderedBranch ?? 'rendered';
  const result = await publish({ repoDir: resolve('.'), branch, remote: flags.remote, files });
  process.stdout.write(result.committed
    ? `committed ${result.commit.slice(0, 12)} to ${branch} (source ${result.sourceCommit.slice(0, 12)}, ${files.size} files)\n`
    : `${branch} already holds the output of ${result.sourceCommit.slice(0, 12)}: no commit\n`);
  return EXIT.ok;
}

export function registerPublish(program: Command): void {
  addSourceOptions(program.command('publish')
    .description('commit the synthesized manifests of every cluster to a branch (rendered-manifests pattern); no commit when nothing changed')
    .option('-b, --branch <name>', 'target branch (default: gitops.renderedBranch in palisade.yaml, else "rendered")')
    .option('--remote <name>', 'remote to push to', 'origin')
    .option('--config <file>', 'repository configuration', 'palisade.yaml'))
    .action(action(run));
}
