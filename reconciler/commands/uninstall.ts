import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCluster } from '../../lib/cluster/load.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { formatId } from '../../lib/core/resource-id.js';
import { clientFor, type ClusterClient } from '../cluster/client.js';
import { assertReachable, loadKubeConfig } from '../cluster/connect.js';
import { uninstall } from '../uninstall/index.js';
import { EXIT } from './exit.js';

export interface UninstallFlags {
  readonly cluster: string[];
  readonly source: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly dryRun?: boolean;
  readonly deleteNamespaces?: boolean;
}

/** The cluster's kubeconfig context: --context, else its cluster.yaml `context` when the source has one. */
async function contextOf(flags: UninstallFlags, cluster: string): Promise<string | undefined> {
  if (flags.context) return flags.context;
  const dir = join(resolve(flags.source), 'clusters');
  return existsSync(join(dir, cluster, 'cluster.yaml')) ? (await loadCluster(dir, cluster)).context : undefined;
}

async function connectTo(flags: UninstallFlags, cluster: string): Promise<ClusterClient> {
  const kc = loadKubeConfig({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}) });
  const context = await contextOf(flags, cluster);
  if (context && kc.getContextObject(context)) kc.setCurrentContext(context);
  const client = clientFor(kc);
  await assertReachable(client);
  return client;
}

/** `palisade uninstall -c NAME`: remove what palisade applied, protection first. */
export async function runUninstall(flags: UninstallFlags): Promise<number> {
  if (flags.cluster.length !== 1) throw new PalisadeError('InvalidInput', 'pass exactly one --cluster to uninstall');
  const cluster = flags.cluster[0]!;
  const client = await connectTo(flags, cluster);
  const verb = flags.dryRun ? 'would delete' : 'deleted';
  const r = await uninstall(client, {
    cluster, dryRun: flags.dryRun ?? false, namespaces: flags.deleteNamespaces ?? false,
    onRemoved: (id, existed) => { if (existed) process.stdout.write(`${verb} ${formatId(id)}\n`); },
  });
  for (const id of r.kept) process.stdout.write(`kept ${formatId(id)} (--delete-namespaces removes it and everything in it)\n`);
  process.stdout.write(`${cluster}: ${r.removed.length} ${flags.dryRun ? 'to delete' : 'deleted'}, ${r.missing.length} already gone, ${r.kept.length} kept${flags.dryRun ? ' (dry run: nothing changed)' : ''}\n`);
  return EXIT.ok;
}
