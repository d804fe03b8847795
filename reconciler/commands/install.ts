import { App, ApiObject, Chart } from 'cdk8s';
import { reconcilerManifests } from '../../lib/deploy/reconciler-manifests.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { SchemaValidator } from '../../lib/synth/schema-validator.js';
import { formatIssues } from '../../lib/model/issues.js';
import { toYaml } from '../../lib/synth/write.js';
import { parseTrustRevision } from '../gate/index.js';
import { EXIT } from './exit.js';
import { synthClusters } from './synth.js';
import type { SourceFlags } from './revision.js';

/** The reconciler reads `git` at `ref`; its RBAC follows from the policies in `source` (default: here). */
export interface InstallFlags extends SourceFlags { readonly git: string; readonly image?: string; readonly replicas: string; readonly trustRevision?: string }

/** Manifests to run the reconciler in the cluster, as one YAML stream (apply with kubectl or commit for Argo CD/Flux). */
export async function runInstall(flags: InstallFlags): Promise<number> {
  if (flags.cluster.length !== 1) throw new PalisadeError('InvalidInput', 'pass exactly one --cluster: the reconciler in a cluster enforces that cluster');
  const { git, trustRevision, ...local } = flags;
  const trusted = parseTrustRevision(trustRevision);
  const [result] = await synthClusters(local);
  const objects = reconcilerManifests({
    cluster: result!.cluster.name, gitUrl: git, ref: flags.ref, managed: result!.objects, backends: result!.cluster, replicas: Number(flags.replicas),
    ...(flags.image ? { image: flags.image } : {}), ...(trusted ? { trustRevision: trusted } : {}),
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

