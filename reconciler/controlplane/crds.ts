import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { PalisadeError } from '../../lib/core/errors.js';
import type { Progress } from '../../lib/core/progress.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';

/** Reads every CustomResourceDefinition document in `files` (multi-document YAML allowed). */
export async function readCrds(files: readonly string[]): Promise<KubeObject[]> {
  const crds: KubeObject[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      if (doc.errors.length > 0) throw new PalisadeError('InvalidInput', `${file}: invalid YAML: ${doc.errors[0]?.message ?? ''}`);
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind === 'CustomResourceDefinition') crds.push(obj);
    }
  }
  return crds;
}

interface Condition { readonly type: string; readonly status: string }

function established(obj: KubeObject | undefined): boolean {
  const conditions = ((obj?.['status'] as { conditions?: Condition[] } | undefined)?.conditions) ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** Applies the CRDs in `files` and waits until the API server serves every one of them. */
export async function installCrds(client: ClusterClient, files: readonly string[], progress: Progress, timeoutMs = 60_000): Promise<KubeObject[]> {
  const crds = await readCrds(files);
  progress.step(`installing ${crds.length} CRDs`);
  for (const crd of crds) {
    const { metadata } = crd;
    const clean = { ...crd, metadata: { name: metadata.name, ...(metadata.annotations ? { annotations: metadata.annotations } : {}), ...(metadata.labels ? { labels: metadata.labels } : {}) } };
    await client.apply(clean, { fieldManager: 'palisade-crds' });
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const id = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name };
    while (!established(await client.get(id))) {
      if (Date.now() > deadline) throw new PalisadeError('CrdInstallFailed', `CustomResourceDefinition/${crd.metadata.name} was not Established within ${timeoutMs / 1000}s.`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return crds;
}
