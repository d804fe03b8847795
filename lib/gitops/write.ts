import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../core/resource-id.js';
import { toYaml } from '../synth/write.js';
import type { GitOpsConfig } from './config.js';
import { argoApplication, argoApplicationSet, fluxObjects } from './objects.js';

/** Every GitOps object for the clusters, by file under dist/gitops/. */
export function gitopsFiles(c: GitOpsConfig, clusters: readonly string[]): Map<string, KubeObject[]> {
  const files = new Map<string, KubeObject[]>();
  for (const cluster of clusters) {
    files.set(`argocd/application-${cluster}.yaml`, [argoApplication(c, cluster)]);
    files.set(`flux/${cluster}.yaml`, fluxObjects(c, cluster));
  }
  files.set('argocd/applicationset.yaml', [argoApplicationSet(c, clusters)]);
  return files;
}

/** Writes dist/gitops/{argocd,flux}/ (outside every cluster's synced path). */
export async function writeGitOps(c: GitOpsConfig, clusters: readonly string[], outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const [file, objects] of gitopsFiles(c, clusters)) {
    const path = join(outDir, 'gitops', file);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, objects.map(toYaml).join('---\n'));
    written.push(path);
  }
  return written;
}
