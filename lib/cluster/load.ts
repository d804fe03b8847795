import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { PalisadeError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';
import { DEFAULT_DNS, DEFAULT_PROTECT, type ClusterSpec, type ProtectSpec } from './cluster-spec.js';
import { clusterSchema } from './schema.js';

const validator = lazy(() => new Ajv2020({ allErrors: true, useDefaults: true, strict: true }).compile(clusterSchema));

/** Parses and checks one cluster.yaml; errors name the file and the field. */
export function parseClusterSpec(text: string, file: string, name: string): ClusterSpec {
  let raw: unknown;
  try {
    raw = parse(text, { version: '1.1', prettyErrors: true }) ?? {};
  } catch (e) {
    throw new PalisadeError('InvalidInput', `${file}: malformed YAML: ${(e as Error).message}`);
  }
  const validate = validator();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `  ${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` ("${String(e.params['additionalProperty'])}")` : ''}${e.params && 'allowedValues' in e.params ? ` (${(e.params['allowedValues'] as string[]).join(', ')})` : ''}`);
    throw new PalisadeError('InvalidInput', `${file}: invalid cluster configuration:\n${problems.join('\n')}`, { hint: 'See "Clusters" in README.md for the fields.' });
  }
  const spec = raw as Omit<ClusterSpec, 'name' | 'protect'> & { name?: string; protect?: boolean | Partial<ProtectSpec> };
  if (spec.name !== undefined && spec.name !== name) {
    throw new PalisadeError('InvalidInput', `${file}: /name: "${spec.name}" does not match the folder name "${name}"`, { hint: 'rename the folder or fix the name field' });
  }
  return { ...spec, name, dns: spec.dns ?? DEFAULT_DNS, protect: protectOf(spec.protect) };
}

/** `protect: true` (the default) or an object: the defaults, overridden field by field; `false`: off. */
function protectOf(raw: boolean | Partial<ProtectSpec> | undefined): ProtectSpec | false {
  if (raw === false) return false;
  return raw === true || raw === undefined ? DEFAULT_PROTECT : { ...DEFAULT_PROTECT, ...raw };
}

export async function loadCluster(clustersDir: string, name: string): Promise<ClusterSpec> {
  const file = join(clustersDir, name, 'cluster.yaml');
  const text = await readFile(file, 'utf8').catch(async (e: NodeJS.ErrnoException) => {
    const known = await listClusters(clustersDir);
    throw new PalisadeError('InvalidInput', `cluster "${name}": cannot read ${file} (${e.code ?? e.message})`, { hint: `clusters in ${clustersDir}: ${known.join(', ') || 'none'}` });
  });
  return parseClusterSpec(text, file, name);
}

/** Names of all clusters (folders with a cluster.yaml), sorted. */
export async function listClusters(clustersDir: string): Promise<string[]> {
  const entries = await readdir(clustersDir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && (await readFile(join(clustersDir, e.name, 'cluster.yaml')).then(() => true, () => false))) names.push(e.name);
  }
  return names.sort();
}
