import type { Server } from 'node:http';
import type { ClusterClient } from '../cluster/client.js';
import { inventoryNamespace } from '../inventory/inventory.js';
import { desiredSets, type ClusterTarget } from '../source/desired.js';
import { resolveSource, type SourceSpec } from '../source/source.js';
import { ClusterController } from './controller.js';
import { LeaderLease } from './lease.js';
import { Metrics, newLogger, serveTelemetry, type HealthState } from './telemetry.js';

export interface LoopOptions {
  readonly source: SourceSpec;
  readonly clusters: readonly string[];
  readonly pollSeconds: number;
  readonly connect: (t: ClusterTarget) => Promise<ClusterClient>;
  readonly allowMassPrune: boolean;
  readonly listen: { readonly host: string; readonly port: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `palisade reconcile --watch`: become leader (Lease), run one controller per cluster, poll Git
 * for new revisions, serve metrics and health, stop cleanly on SIGINT/SIGTERM.
 */
export async function runLoop(opts: LoopOptions): Promise<void> {
  const log = newLogger();
  const metrics = new Metrics();
  const health: HealthState = { ready: false, leader: false };
  const server: Server = await serveTelemetry(metrics, health, opts.listen);
  let stopping = false;
  const controllers = new Map<string, ClusterController>();
  const stop = (): void => {
    stopping = true;
    for (const c of controllers.values()) c.stop();
    server.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let checkout = await resolveSource(opts.source);
  const targets = await desiredSets(checkout, opts.clusters);
  for (const t of targets) {
    const client = await opts.connect(t);
    await client.apply(inventoryNamespace());
    const lease = new LeaderLease(client, { name: `palisade-reconciler-${t.spec.name}` });
    while (!stopping && !(await lease.tryAcquire())) await sleep(lease.renewEveryMs);
    health.leader = true;
    log.info({ cluster: t.spec.name, identity: lease.identity }, 'leader');
    setInterval(() => { void lease.tryAcquire().then((ok) => { if (!ok) { log.error({ cluster: t.spec.name }, 'lost leadership; exiting'); process.exit(3); } }); }, lease.renewEveryMs).unref();
    const controller = new ClusterController(client, t, { metrics, log, allowMassPrune: opts.allowMassPrune });
    await controller.start();
    controllers.set(t.spec.name, controller);
  }
  health.ready = true;
  while (!stopping) {
    await sleep(opts.pollSeconds * 1000);
    if (stopping) break;
    try {
      const next = await resolveSource(opts.source);
      if (next.revision === checkout.revision) continue;
      log.info({ from: checkout.revision, to: next.revision }, 'new revision');
      checkout = next;
      for (const t of await desiredSets(checkout, opts.clusters)) await controllers.get(t.spec.name)?.update(t);
    } catch (e) {
      log.error({ err: String(e) }, 'source poll failed; keeping the current revision');
    }
  }
}
