import type { Logger } from 'pino';
import type { ClusterClient } from '../cluster/client.js';
import { inventoryNamespace } from '../inventory/inventory.js';
import { appliedOf, describeProbeFailures, digestRefusal, gateCluster, headMessage, isCommit, isRefusal, REFUSAL_METRIC, reviewsOf, type Gated, type Refusal, type TrustOptions } from '../gate/index.js';
import { readAppliedRevision, recordAppliedRevision, type AppliedRevision } from '../inventory/revision-record.js';
import type { ClusterRef } from '../source/clusters.js';
import { clustersOf, failedProbes, refOf, synthesizeTargets, type ClusterTarget } from '../source/desired.js';
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
  readonly connect: (ref: ClusterRef) => Promise<ClusterClient>;
  /** What the operator vouches for beyond the recorded baselines (--trust-revision, --allow-rollback). */
  readonly trust: TrustOptions;
  /** Apply only output whose digest the head commit records as reviewed (--require-digest). */
  readonly requireDigest: boolean;
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
  const client = await opts.connect(refOf(t));
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

/** A refused revision: an Event on the cluster's inventory first (once the metric moves, it is visible everywhere), then the metric and a log line. */
async function refuse(rt: Runtime, client: ClusterClient, refusal: Refusal, revision: string): Promise<void> {
  await recordRefusal(client, rt.log, { cluster: refusal.cluster, reason: refusal.reason, message: `${refusal.message}; staying on the last admitted revision` })
    .catch((e: unknown) => rt.log.warn({ cluster: refusal.cluster, err: String(e) }, 'refusal event not recorded'));
  rt.metrics.refusals.inc({ cluster: refusal.cluster, reason: REFUSAL_METRIC[refusal.reason] });
  rt.log.error({ cluster: refusal.cluster, revision, reason: refusal.reason, ...(refusal.commits ? { commits: refusal.commits } : {}), ...(refusal.probes ? { probes: refusal.probes } : {}) }, `revision refused, staying on the last admitted revision: ${refusal.message}`);
}

/** The probe gate: probes violated refuse the revision unless --allow-probe-failures (then a warning). */
function probeRefusal(rt: Runtime, opts: LoopOptions, t: ClusterTarget): Refusal | undefined {
  const failures = failedProbes(t);
  if (failures.length === 0) return undefined;
  const message = describeProbeFailures(t.desired.revision, failures);
  if (!opts.allowProbeFailures) return { cluster: t.spec.name, reason: 'ProbeFailed', message, probes: failures.map((f) => f.probe) };
  rt.log.warn({ cluster: t.spec.name, revision: t.desired.revision, probes: failures.map((f) => f.probe) }, `applying despite --allow-probe-failures: ${message}`);
  return undefined;
}

/** Hands a target to the cluster's controller, starting its lead the first time. */
async function handOver(rt: Runtime, opts: LoopOptions, t: ClusterTarget): Promise<void> {
  rt.targets.set(t.spec.name, t);
  const controller = rt.controllers.get(t.spec.name);
  if (controller) await controller.update(t);
  else if (!rt.leading.has(t.spec.name)) void lead(rt, opts, t).then(() => { rt.health.ready = rt.controllers.size >= rt.expected; }, (e: unknown) => fatal(rt, e));
}

/** Records an admitted revision as the cluster's applied revision (the next one's baseline), then hands it over. */
async function enforce(rt: Runtime, opts: LoopOptions, admitted: { readonly t: ClusterTarget; readonly client: ClusterClient; readonly applied: Omit<AppliedRevision, 'appliedAt'> }): Promise<void> {
  const { t, client, applied } = admitted;
  rt.applied.set(t.spec.name, { ...applied, appliedAt: new Date().toISOString() });
  await recordAppliedRevision(client, t.spec.name, applied)
    .catch((e: unknown) => rt.log.warn({ cluster: t.spec.name, err: String(e) }, 'applied revision not recorded'));
  await handOver(rt, opts, t);
}

function fatal(rt: Runtime, e: unknown): never {
  rt.log.error({ err: String(e) }, 'could not start reconciling; exiting');
  process.exit(2);
}

/** Gates 1-3 (baseline, ancestry, signatures) for every cluster, before any policy code runs; refusals are recorded. */
async function gateRanges(rt: Runtime, opts: LoopOptions, checkout: Checkout, refs: readonly ClusterRef[]): Promise<{ gated: Gated[]; refused: ClusterRef[] }> {
  const gated: Gated[] = [];
  const refused: ClusterRef[] = [];
  for (const ref of refs) {
    const client = await opts.connect(ref);
    const last = rt.applied.get(ref.name);
    const g = await gateCluster(checkout, ref, client, { trust: opts.trust, gated: opts.source.kind === 'git', ...(last ? { last } : {}) });
    if (isRefusal(g)) { await refuse(rt, client, g, checkout.revision); refused.push(ref); continue; }
    gated.push(g);
  }
  return { gated, refused };
}

/**
 * Gates a revision for every cluster and hands each admitted cluster to its controller; a cluster
 * that refuses it stays where it is. Returns the clusters that did not admit it.
 */
async function advance(rt: Runtime, opts: LoopOptions, checkout: Checkout, refs: readonly ClusterRef[]): Promise<ClusterRef[]> {
  const { gated, refused } = await gateRanges(rt, opts, checkout, refs);
  if (gated.length === 0) return refused;
  const targets = await synthesizeTargets(checkout, gated.map((g) => g.admission.ref), { review: reviewsOf(gated), digest: opts.requireDigest }).catch(async (e: unknown) => {
    for (const g of gated) await refuse(rt, g.client, { cluster: g.admission.ref.name, reason: 'SynthesisFailed', message: `revision ${checkout.revision.slice(0, 12)} did not synthesize: ${(e as Error).message}` }, checkout.revision);
    return undefined;
  });
  if (targets === undefined) return [...refused, ...gated.map((g) => g.admission.ref)];
  const message = opts.requireDigest ? await headMessage(checkout) : '';
  for (const [i, t] of targets.entries()) {
    const g = gated[i]!;
    const refusal = probeRefusal(rt, opts, t) ?? (opts.requireDigest ? digestRefusal(t, message, checkout.revision) : undefined);
    if (refusal) { await refuse(rt, g.client, refusal, checkout.revision); refused.push(refOf(t)); continue; }
    await enforce(rt, opts, { t, client: g.client, applied: appliedOf(checkout, g.admission) });
  }
  return refused;
}

/**
 * At start-up, a cluster that refuses the head is still enforced: its applied revision, checked
 * out by full SHA and synthesized (it passed every gate when it was admitted). Without one, the
 * cluster waits for an admissible revision.
 */
async function enforceApplied(rt: Runtime, opts: LoopOptions, ref: ClusterRef): Promise<void> {
  const client = await opts.connect(ref);
  const last = await readAppliedRevision(client, ref.name);
  if (opts.source.kind !== 'git' || last === undefined || !isCommit(last.revision)) {
    rt.log.warn({ cluster: ref.name }, 'no admitted revision to enforce; waiting for an admissible one');
    return;
  }
  try {
    const checkout = await resolveSource({ ...opts.source, ref: last.revision });
    const [old] = await clustersOf(checkout, [ref.name]);
    const [t] = await synthesizeTargets(checkout, [old ?? ref], { review: () => ({ probes: [] }) });
    rt.applied.set(ref.name, last);
    rt.log.info({ cluster: ref.name, revision: last.revision }, 'enforcing the applied revision');
    if (t) await handOver(rt, opts, t);
  } catch (e) {
    rt.log.error({ cluster: ref.name, revision: last.revision, err: String(e) }, 'the applied revision cannot be enforced; waiting for an admissible one');
  }
}

/** One Git poll: a new revision is gated and handed to every admitting cluster's controller. Never throws. */
async function poll(rt: Runtime, opts: LoopOptions, current: Checkout | undefined): Promise<Checkout | undefined> {
  try {
    const next = await resolveSource(opts.source);
    if (next.revision === current?.revision) return current;
    rt.log.info({ from: current?.revision, to: next.revision }, 'new revision');
    const refs = await clustersOf(next, opts.clusters);
    if (current === undefined) rt.expected = refs.length;
    const refused = await advance(rt, opts, next, refs);
    const unserved = current === undefined ? refused.filter((ref) => !rt.leading.has(ref.name)) : [];
    for (const ref of unserved) await enforceApplied(rt, opts, ref);
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
  // Each cluster has its own Lease: a replica that does not lead one cluster still serves the others,
  // and keeps polling Git meanwhile. Ready once it leads every cluster of the first revision.
  let checkout = await poll(rt, opts, undefined);
  while (!rt.stopping) {
    await sleep(opts.pollSeconds * 1000, rt.shutdown.signal);
    if (!rt.stopping) checkout = await poll(rt, opts, checkout);
  }
  // Record the last corrections before exiting (the inventory is written behind).
  await Promise.all([...rt.controllers.values()].map((c) => c.settle()));
}
