import { Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
}

/**
 * A set of watches that restart on their own: a closed stream or an error (410 Gone included)
 * restarts the watch without a resourceVersion after a backoff, which replays the current state
 * as ADDED events (a relist).
 */
export class Watcher {
  private readonly controllers = new Set<AbortController>();
  private stopped = false;

  public constructor(private readonly client: ClusterClient, private readonly log: Logger, private readonly onEvent: (type: WatchEventType, obj: KubeObject) => void) {}

  /** Starts a watch; events go to `handler` (default: the watcher's). */
  public async start(spec: WatchSpec, handler: (type: WatchEventType, obj: KubeObject) => void = this.onEvent, attempt = 0): Promise<void> {
    if (this.stopped) return;
    let path: string;
    try {
      path = await this.client.collectionPath(spec.apiVersion, spec.kind, spec.namespace);
    } catch (e) {
      // A kind the cluster does not serve (its CRD not installed yet): look again later.
      const delay = Math.min(1_000 * 2 ** attempt, 30_000);
      this.log.warn({ apiVersion: spec.apiVersion, kind: spec.kind, err: e instanceof Error ? e.message : String(e), delay }, 'kind not served; watching it once it is');
      setTimeout(() => { void this.start(spec, handler, attempt + 1); }, delay).unref();
      return;
    }
    const params = { allowWatchBookmarks: true, ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}) };
    let controller: AbortController | undefined = undefined;
    const restart = (err: unknown): void => {
      if (controller) this.controllers.delete(controller);
      if (this.stopped) return;
      const delay = Math.min(100 * 2 ** attempt, 10_000);
      if (err) this.log.warn({ path, err: err instanceof Error ? err.message : JSON.stringify(err), delay }, 'watch ended; restarting');
      setTimeout(() => { void this.start(spec, handler, err ? attempt + 1 : 0).catch((e: unknown) => restart(e)); }, err ? delay : 0);
    };
    controller = await new Watch(this.client.kubeConfig).watch(path, params, (type: string, obj: KubeObject) => {
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') handler(type, { ...obj, apiVersion: spec.apiVersion, kind: spec.kind });
    }, restart);
    this.controllers.add(controller);
  }

  public stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }
}
