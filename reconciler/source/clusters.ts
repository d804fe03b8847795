/**
 * The clusters of a revision as the operator names them, read by palisade itself before any
 * policy code runs: the folder name (or `-c NAME`) is the cluster's identity, under which its
 * applied revision is recorded, and `context` is the kubeconfig context it is reached through.
 * Synthesis, which runs the revision's own code, may not rename a cluster or move it to another
 * context: {@link assertSameCluster} refuses a result that tries.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PalisadeError } from '../../lib/core/errors.js';

export interface ClusterRef {
  /** The folder under clusters/: the name every record, lease and ApplySet of the cluster uses. */
  readonly name: string;
  /** `context` of its cluster.yaml, when set. */
  readonly context?: string;
}

/** A cluster name: a DNS label, so it is safe as a path segment, a label value and an object name. */
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** cluster.yaml is configuration, never large: reading more is refused. */
const MAX_CLUSTER_YAML = 1 << 20;

export function assertClusterName(name: string, where: string): void {
  if (!NAME.test(name)) throw new PalisadeError('InvalidInput', `${where}: cluster name "${name}" is not a DNS label (lower-case letters, digits and '-', at most 63)`, { hint: 'rename the folder under clusters/' });
}

/** Reads one cluster.yaml as palisade (not policy code) sees it: a regular file, bounded, `context` a string. */
async function refOf(clustersDir: string, name: string): Promise<ClusterRef> {
  assertClusterName(name, `clusters/${name}`);
  const file = join(clustersDir, name, 'cluster.yaml');
  const st = await lstat(file).catch(() => undefined);
  if (st === undefined) throw new PalisadeError('InvalidInput', `cluster "${name}": ${file} does not exist`, { hint: 'each cluster is clusters/<name>/cluster.yaml' });
  if (!st.isFile()) throw new PalisadeError('InvalidInput', `cluster "${name}": ${file} is not a regular file (symlinks and devices are refused)`);
  if (st.size > MAX_CLUSTER_YAML) throw new PalisadeError('InvalidInput', `cluster "${name}": ${file} is ${st.size} bytes, over the ${MAX_CLUSTER_YAML}-byte limit`);
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'), { version: '1.1' }) ?? {};
  } catch (e) {
    throw new PalisadeError('InvalidInput', `${file}: malformed YAML: ${(e as Error).message}`);
  }
  const context = (raw as { context?: unknown }).context;
  if (context !== undefined && typeof context !== 'string') throw new PalisadeError('InvalidInput', `${file}: /context: must be a string`);
  return { name, ...(context ? { context } : {}) };
}

/** The clusters asked for (`requested`), or every folder with a cluster.yaml; sorted, each read by palisade. */
export async function clusterRefs(clustersDir: string, requested: readonly string[]): Promise<ClusterRef[]> {
  const names = requested.length > 0 ? [...new Set(requested)] : await folders(clustersDir);
  if (names.length === 0) throw new PalisadeError('InvalidInput', `no clusters found in ${clustersDir} (each needs <name>/cluster.yaml)`);
  return Promise.all(names.sort().map((n) => refOf(clustersDir, n)));
}

async function folders(clustersDir: string): Promise<string[]> {
  const entries = await readdir(clustersDir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) if (e.isDirectory() && (await lstat(join(clustersDir, e.name, 'cluster.yaml')).then(() => true, () => false))) out.push(e.name);
  return out;
}

/** Refuses a synthesis result that names another cluster or context than the one asked for. */
export function assertSameCluster(ref: ClusterRef, result: { readonly name: string; readonly context?: string | undefined }, revision: string): void {
  const at = `revision ${revision.slice(0, 12)}: synthesis of cluster ${ref.name}`;
  if (result.name !== ref.name) throw new PalisadeError('SynthFailed', `${at} returned cluster "${result.name}": a revision may not rename the cluster it is applied to`);
  if ((result.context ?? '') !== (ref.context ?? '')) {
    throw new PalisadeError('SynthFailed', `${at} returned context "${result.context ?? ''}", but clusters/${ref.name}/cluster.yaml says "${ref.context ?? ''}": a revision may not move a cluster to another context`);
  }
}
