import { writeFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { PalisadeError } from '../core/errors.js';
import { fileNameOf, indexOf } from './index-file.js';
import type { SynthResult } from './synthesize.js';

/**
 * YAML exactly as Kubernetes reads it, same bytes every time. js-yaml quotes every YAML 1.1
 * ambiguity (`yes`, `on`, `0777`, `12:30`) and is several times faster than `yaml` at this.
 */
export function toYaml(obj: unknown): string {
  return dump(obj, { lineWidth: -1, noRefs: true, sortKeys: false });
}

/** Files of one cluster's output: object files, kustomization.yaml and palisade-index.json; names checked (see assertInside). */
export function renderFiles(result: SynthResult): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of result.objects) files.set(fileNameOf(o), toYaml(o));
  files.set('kustomization.yaml', toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: result.objects.map(fileNameOf) }));
  files.set('palisade-index.json', `${JSON.stringify({ cluster: result.cluster.name, objects: indexOf(result) }, null, 2)}\n`);
  assertInside(result, files);
  return files;
}

/** A cluster folder or file name synthesis may write: one path segment, never `.`-led (so never `..`). */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

/**
 * Refuses names that would write outside `outDir/<cluster>/`: synthesis ran the revision's own
 * code, so the cluster and object names it returns are checked like any other input.
 */
function assertInside(result: SynthResult, files: ReadonlyMap<string, string>): void {
  if (!SAFE_SEGMENT.test(result.cluster.name)) throw new PalisadeError('InvalidInput', `synthesis returned cluster name ${JSON.stringify(result.cluster.name)}, which is not a single path segment`);
  for (const name of files.keys()) {
    if (!SAFE_SEGMENT.test(name)) {
      const obj = result.objects.find((o) => fileNameOf(o) === name);
      throw new PalisadeError('InvalidInput', `cluster ${result.cluster.name}: ${obj ? `${obj.kind}/${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}` : name}: metadata.name or namespace would make the file name ${JSON.stringify(name)}, outside the output folder`);
    }
  }
}

/** Replaces `outDir/<cluster>/` with the synthesized files; leaves other clusters alone. */
export async function writeSynthOutput(result: SynthResult, outDir: string): Promise<string> {
  const files = renderFiles(result);
  const dir = join(outDir, result.cluster.name);
  await mkdir(dir, { recursive: true });
  for (const stale of (await readdir(dir)).filter((f) => !files.has(f))) await rm(join(dir, stale), { recursive: true, force: true });
  // Synchronous writes: thousands of small files are several times faster without thread-pool hops.
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return dir;
}
