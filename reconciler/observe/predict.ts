import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { isApiError, type ClusterClient } from '../cluster/client.js';

/**
 * Desired objects as the API server stores them (defaults filled in), from a server-side dry-run
 * of a create under a probe name, so the answer never depends on what is live. Cached by content:
 * each distinct desired object costs one dry-run per process, and drift checks stay pure.
 */
export class Predictor {
  private readonly cache = new Map<string, KubeObject>();
  private readonly limit = pLimit(16);

  public constructor(private readonly client: ClusterClient) {}

  public get size(): number {
    return this.cache.size;
  }

  private static hash(obj: KubeObject): string {
    return createHash('sha256').update(JSON.stringify(obj)).digest('hex');
  }

  private static probeName(obj: KubeObject, hash: string): string {
    const max = obj.kind === 'Namespace' ? 63 : 253;
    const suffix = `-probe-${hash.slice(0, 8)}`;
    return `${obj.metadata.name.slice(0, Math.min(50, max - suffix.length))}${suffix}`;
  }

  /** The predicted stored form, or undefined when the server cannot say yet (e.g. namespace missing). */
  public async predict(obj: KubeObject): Promise<KubeObject | undefined> {
    const hash = Predictor.hash(obj);
    const hit = this.cache.get(hash);
    if (hit) return hit;
    return this.limit(async () => {
      try {
        const probe = { ...obj, metadata: { ...obj.metadata, name: Predictor.probeName(obj, hash) } };
        const stored = await this.client.apply(probe, { dryRun: true });
        const predicted: KubeObject = { ...stored, metadata: { ...stored.metadata, name: obj.metadata.name } };
        this.cache.set(hash, predicted);
        return predicted;
      } catch (e) {
        if (isApiError(e) && e.status === 404) return undefined;
        throw e;
      }
    });
  }
}
