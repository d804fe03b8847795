import type { Logger } from 'pino';
import type { ClusterClient } from '../cluster/client.js';
import { inventoryNamespace } from '../inventory/inventory.js';
import { appliedOf, describeProbeFailures, describeSignatureRefusal, signaturesAdmit, verifyForCluster } from '../gate/index.js';
import { readAppliedRevision, recordAppliedRevision, type AppliedRevision } from '../inventory/revision-record.js';
import type { RangeVerdict } from '../verify/index.js';
import { desiredSets, failedProbes, type ClusterTarget } from '../source/desired.js';
import { resolveSource, type Checkout, type SourceSpec } from '../source/source.js';
import { ClusterController } from './controller.js';
import { recordRefusal } from './events.js';
import { LeaderLease } from './lease.js';
import { Metrics, newLogger, serveTelemetry, type HealthState } from './telemetry.js';

export interface LoopOptions {
  readonly source: SourceSpec;
  readonly clusters: readonly string[];
  readonly pollSeconds: number;
  /** Full pass this often in watch mode (0: never). */
  readonly resyncSeconds: number;
  readonly connect: (t: ClusterTarget) => Promise<ClusterClient>;
  readonly allowMassPrune: boolean;
  /** Apply a revision even when it violates one of its probes. */
  readonly allowProbeFailures: boolean;
  readonly listen: { readonly host: string; readonly port: number };
}

/** Sleeps, or returns early when `signal` aborts (shutdown). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

interface Runtime {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly health: HealthState;
  readonly controllers: Map<string, ClusterController>;
  /** Clusters whose lead (Lease, then controller) has started. */
  readonly leading: Set<string>;
  /** Clusters of the first revision: ready once each has a controller. */
  expected: number;
  /** The newest revision's target per cluster (a replica that becomes leader late starts from it). */
  readonly targets: Map<string, ClusterTarget>;
  /** The revision admitted last per cluster: the next one's signatures are verified from here. */
  readonly applied: Map<string, AppliedRevision>;
  readonly shutdown: AbortController;
  stopping: boolean;
}

/**
 * Renews the Lease every third of its duration. A renewal that fails (API server busy, connection
 * reset) is retried at the next tick while the lease is still ours; the process exits (3) only when
 * another holder took it or it expired unrenewed, so no two replicas ever reconcile one cluster.
 */
function keepLease(rt: Runtime, lease: LeaderLease, cluster: string): void {
  let renewedAt = Date.now();
  const lost = (why: string): void => {
    rt.log.error({ cluster, why }, 'lost leadership; exiting');
    process.exit(3);
  };
  setInterval(() => {
    lease.tryAcquire().then((ok) => {
      if (ok) renewedAt = Date.now();
      else lost('another replica holds the lease');
    }, (e: unknown) => {
      if (Date.now() - renewedAt >= lease.durationMs) lost(`not renewed for ${lease.durationMs / 1000}s: ${String(e)}`);
      else rt.log.warn({ cluster, err: String(e) }, 'lease renewal failed; retrying');
    });
  }, lease.renewEveryMs).unref();
}

/** Waits for the Lease, keeps renewing it (exiting when lost), then starts the cluster's controller. */
async function lead(rt: Runtime, opts: LoopOptions, t: ClusterTarget): Promise<void> {
  rt.leading.add(t.spec.name);
  const client = await opts.connect(t);
  await client.apply(inventoryNamespace());
  const lease = new LeaderLease(client, { name: `palisade-reconciler-${t.spec.name}` });
  while (!rt.stopping && !(await lease.tryAcquire())) await sleep(lease.renewEveryMs, rt.shutdown.signal);
  rt.health.leader = true;
  rt.log.info({ cluster: t.spec.name, identity: lease.identity }, 'leader');
  keepLease(rt, lease, t.spec.name);
  const controller = new ClusterController(client, rt.targets.get(t.spec.name) ?? t, { metrics: rt.metrics, log: rt.log, allowMassPrune: opts.allowMassPrune, resyncMs: opts.resyncSeconds * 1000 });
  await controller.start();
  rt.controllers.set(t.spec.name, controller);
}

/** A refused revision: an Event on the cluster's inventory first (once the metric moves, it is visible everywhere), then the metric. */
async function refuse(rt: Runtime, client: ClusterClient, t: ClusterTarget, refusal: { reason: 'ProbeFailed' | 'SignatureRejected'; metric: 'probe' | 'signature'; message: string }): Promise<void> {
  await recordRefusal(client, rt.log, { cluster: t.spec.name, reason: refusal.reason, message: `${refusal.message}; staying on the last good revision` })
    .catch((e: unknown) => rt.log.warn({ cluster: t.spec.name, err: String(e) }, 'refusal event not recorded'));
  rt.metrics.refusals.inc({ cluster: t.spec.name, reason: refusal.metric });
}

/**
 * The signature gate (--git sources): the commits since the revision last applied to the cluster
 * must be signed as the rules require; the verdict is recorded as the cluster's applied revision
 * once admitted. A refusal names each commit and path.
 */
async function verified(rt: Runtime, opts: LoopOptions, gate: { readonly t: ClusterTarget; readonly client: ClusterClient; readonly checkout: Checkout }): Promise<RangeVerdict | undefined | false> {
  const { t, client, checkout } = gate;
  if (opts.source.kind !== 'git') return undefined;
  const last = rt.applied.get(t.spec.name) ?? await readAppliedRevision(client, t.spec.name);
  const verdict = await verifyForCluster(checkout, last);
  if (signaturesAdmit(verdict)) return verdict;
  const message = describeSignatureRefusal(t.spec.name, verdict);
  await refuse(rt, client, t, { reason: 'SignatureRejected', metric: 'signature', message });
  rt.log.error({ cluster: t.spec.name, revision: t.desired.revision, commits: verdict.failures.map((f) => ({ commit: f.sha, path: f.path })) }, `revision refused, staying on the last good revision: ${message}`);
  return false;
}

/**
 * The probe gate: a revision that violates a probe is not handed to the cluster's controller,
 * which stays on the last good revision; the refusal is a log line, a metric and an Event.
 */
async function probesPass(rt: Runtime, opts: LoopOptions, t: ClusterTarget, client: ClusterClient): Promise<boolean> {
  const failures = failedProbes(t);
  if (failures.length === 0) return true;
  const message = describeProbeFailures(t.desired.revision, failures);
  if (opts.allowProbeFailures) {
    rt.log.warn({ cluster: t.spec.name, revision: t.desired.revision, probes: failures.map((f) => f.probe) }, `applying despite --allow-probe-failures: ${message}`);
    return true;
  }
  await refuse(rt, client, t, { reason: 'ProbeFailed', metric: 'probe', message });
  rt.log.error({ cluster: t.spec.name, revision: t.desired.revision, probes: failures.map((f) => f.probe) }, `revision refused, staying on the last good revision: ${message}`);
  return false;
}

/** Hands an admitted revision to the cluster's controller, starting its lead the first time. */
async function enforce(rt: Runtime, opts: LoopOptions, t: ClusterTarget, checkout: Checkout): Promise<void> {
  // One connection for the gates and their records (the controller keeps its own).
  const client = await opts.connect(t);
  const verdict = await verified(rt, opts, { t, client, checkout });
  if (verdict === false || !(await probesPass(rt, opts, t, client))) return;
  const applied = verdict === undefined ? { revision: checkout.revision, verified: false, signedBy: [] } : appliedOf(verdict);
  rt.applied.set(t.spec.name, { ...applied, appliedAt: new Date().toISOString() });
  await recordAppliedRevision(client, t.spec.name, applied)
    .catch((e: unknown) => rt.log.warn({ cluster: t.spec.name, err: String(e) }, 'applied revision not recorded'));
  rt.targets.set(t.spec.name, t);
  const controller = rt.controllers.get(t.spec.name);
  if (controller) await controller.update(t);
  else if (!rt.leading.has(t.spec.name)) void lead(rt, opts, t).then(() => { rt.health.ready = rt.controllers.size >= rt.expected; }, (e: unknown) => fatal(rt, e));
}

function fatal(rt: Runtime, e: unknown): never {
  rt.log.error({ err: String(e) }, 'could not start reconciling; exiting');
  process.exit(2);
}

/** One Git poll: a new revision is synthesized, gated and handed to every controller. */
async function poll(rt: Runtime, opts: LoopOptions, current: Checkout): Promise<Checkout> {
  try {
    const next = await resolveSource(opts.source);
    if (next.revision === current.revision) return current;
    rt.log.info({ from: current.revision, to: next.revision }, 'new revision');
    for (const t of await desiredSets(next, opts.clusters)) await enforce(rt, opts, t, next);
    return next;
  } catch (e) {
    rt.log.error({ err: String(e) }, 'source poll failed; keeping the current revision');
    return current;
  }
}

/**
 * `palisade reconcile --watch`: become leader (Lease), run one controller per cluster, poll Git
 * for new revisions, serve metrics and health, stop cleanly on SIGINT/SIGTERM.
 */
export async function runLoop(opts: LoopOptions): Promise<void> {
  const rt: Runtime = { log: newLogger(), metrics: new Metrics(), health: { ready: false, leader: false }, controllers: new Map(), leading: new Set(), expected: 0, targets: new Map(), applied: new Map(), shutdown: new AbortController(), stopping: false };
  const server = await serveTelemetry(rt.metrics, rt.health, opts.listen);
  const stop = (): void => {
    rt.stopping = true;
    rt.shutdown.abort();
    for (const c of rt.controllers.values()) c.stop();
    server.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let checkout = await resolveSource(opts.source);
  // Each cluster has its own Lease: a replica that does not lead one cluster still serves the others,
  // and keeps polling Git meanwhile. Ready once it leads every cluster whose revision it admitted.
  const first = await desiredSets(checkout, opts.clusters);
  rt.expected = first.length;
  for (const t of first) await enforce(rt, opts, t, checkout);
  while (!rt.stopping) {
    await sleep(opts.pollSeconds * 1000, rt.shutdown.signal);
    if (!rt.stopping) checkout = await poll(rt, opts, checkout);
  }
  // Record the last corrections before exiting (the inventory is written behind).
  await Promise.all([...rt.controllers.values()].map((c) => c.settle()));
}
