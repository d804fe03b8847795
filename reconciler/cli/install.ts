import type { Command } from 'commander';
import { App, ApiObject, Chart } from 'cdk8s';
import { reconcilerManifests } from '../../lib/deploy/reconciler-manifests.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { SchemaValidator } from '../../lib/synth/schema-validator.js';
import { formatIssues } from '../../lib/model/issues.js';
import { toYaml } from '../../lib/synth/write.js';
import { action, EXIT } from './action.js';
import { addSourceOptions, synthClusters } from './synth.js';

interface InstallFlags { readonly cluster: string[]; readonly git: string; readonly ref: string; readonly image?: string; readonly replicas: string; readonly policies: string; readonly clusters: string }

/** Manifests to run the reconciler in the cluster, as one YAML stream (apply with kubectl or commit for Argo CD/Flux). */
async function install(flags: InstallFlags): Promise<number> {
  if (flags.cluster.length !== 1) throw new PalisadeError('InvalidInput', 'pass exactly one --cluster: the reconciler in a cluster enforces that cluster');
  const [result] = await synthClusters(flags);
  const objects = reconcilerManifests({
    cluster: result!.cluster.name, gitUrl: flags.git, ref: flags.ref, managed: result!.objects, backends: result!.cluster, replicas: Number(flags.replicas),
    ...(flags.image ? { image: flags.image } : {}),
  });
  const validator = new SchemaValidator();
  const issues = objects.flatMap((o) => validator.validate(o));
  if (issues.length > 0) throw new PalisadeError('SynthFailed', formatIssues(issues, result!.cluster.name));
  // Rendered through a cdk8s chart like every other palisade output.
  const chart = new Chart(new App(), 'reconciler', { disableResourceNameHashes: true });
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  process.stdout.write(chart.toJson().map(toYaml).join('---\n'));
  return EXIT.ok;
}

export function registerInstall(program: Command): void {
  addSourceOptions(program.command('install-manifests')
    .description('print the manifests that run `palisade reconcile --watch` inside a cluster (least-privilege RBAC, Lease, metrics)')
    .requiredOption('-c, --cluster <name>', 'cluster the reconciler enforces', (v: string, prev: string[]) => [...prev, v], [])
    .requiredOption('--git <url>', 'Git repository the reconciler reads')
    .option('--ref <ref>', 'branch, tag or commit', 'main')
    .option('--image <image>', 'container image (default ghcr.io/palisade-dev/palisade:0.1.0)')
    .option('--replicas <n>', 'replicas (one leads through a Lease)', '2'))
    .action(action(install));
}
