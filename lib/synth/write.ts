import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fileNameOf, indexOf, type SynthResult } from './synthesize.js';

/** YAML exactly as Kubernetes reads it (1.1 booleans quoted), same bytes every time. */
export function toYaml(obj: unknown): string {
  return stringify(obj, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/** Files of one cluster's output: object files, kustomization.yaml and palisade-index.json. */
export function renderFiles(result: SynthResult): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of result.objects) files.set(fileNameOf(o), toYaml(o));
  files.set('kustomization.yaml', toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: result.objects.map(fileNameOf) }));
  files.set('palisade-index.json', `${JSON.stringify({ cluster: result.cluster.name, objects: indexOf(result) }, null, 2)}\n`);
  return files;
}

/** Replaces `outDir/<cluster>/` with the synthesized files; leaves other clusters alone. */
export async function writeSynthOutput(result: SynthResult, outDir: string): Promise<string> {
  const dir = join(outDir, result.cluster.name);
  const files = renderFiles(result);
  await mkdir(dir, { recursive: true });
  for (const stale of (await readdir(dir)).filter((f) => !files.has(f))) await rm(join(dir, stale), { recursive: true, force: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return dir;
}
