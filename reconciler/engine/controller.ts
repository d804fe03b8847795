import type { Logger } from 'pino';
import { assertNever } from '../../lib/core/assert.js';
import { LABELS } from '../../lib/core/labels.js';
import { grantedPerNamespace } from '../../lib/core/kinds.js';
import { formatId, idOf, keyOf, type KubeObject, type ResourceId, type ResourceKey } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import { applySetId, CachedInventory, PART_OF_LABEL } from '../inventory/inventory.js';
import { exemptingKinds } from '../observe/foreign.js';
import { holdWhole, slim } from '../observe/held.js';
import { Predictor } from '../observe/predict.js';
import type { FieldChange } from '../plan/types.js';
import type { DriftItem } from '../report/index.js';
import type { ClusterTarget } from '../source/desired.js';
import { recordEvent } from './events.js';
import { FightDetector, type FightOptions } from './fight.js';
import { reconcileOnce, type PassResult } from './reconcile-once.js';
import type { Metrics } from './telemetry.js';
import { Watcher, type WatchEventType, type WatchSpec } from './watcher.js';
import { DenialMonitor } from './denial-monitor.js';

export interface ControllerOptions {
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly allowMassPrune?: boolean;
  readonly fight?: FightOptions;
  /** Emit Kubernetes Events on corrected objects. @default true */
  readonly events?: boolean;
  /** Called after each correction (benchmarks, tests). */
  readonly onCorrection?: (c: Correction) => void;
  /** Full pass this often, a safety net for any missed watch event. @default 300000 (5 min); 0: never */
  readonly resyncMs?: number;
  /** How often the protection policy's denial count is read (blocked tampers). 0: never. @default 30000 */
  readonly denialPollMs?: number;
}

/** A correction the controller made in watch mode. */
export interface Correction {
  readonly key: ResourceKey;
  readonly kind: 'drift' | 'recreated' | 'foreign-removed' | 'pruned';
  readonly fields: readonly FieldChange[];
  readonly at: number;
}

/** A watch event waiting to be handled: the object whole, or its id only (see ../observe/held.ts). */
interface PendingEvent { readonly type: WatchEventType; readonly obj: KubeObject; readonly whole: boolean; readonly at: number }

/**
 * Keeps one cluster equal to its desired set: a full pass at start, on each new revision and every
 * resync interval, then watches palisade's objects (by ApplySet label) and every kind the
 * cluster's backends enforce in governed namespaces, running the same pass scoped to each object
 * an event arrives for.
 */
export class ClusterController {
  private readonly predictor: Predictor;
  private readonly fights: FightDetector;
  private watcher: Watcher | undefined;
  private resync: NodeJS.Timeout | undefined;
  private denials: NodeJS.Timeout | undefined;
  /** This controller holds the cluster's Lease: the inventory's only writer, so it is cached. */
  private readonly inventory: CachedInventory;
  private readonly pending = new Map<ResourceKey, PendingEvent>();
  public readonly corrections: Correction[] = [];

  public constructor(private readonly client: ClusterClient, private target: ClusterTarget, private readonly opts: ControllerOptions) {
    this.predictor = new Predictor(client);
    this.inventory = new CachedInventory(client, target.spec.name, (e) => opts.log.error({ cluster: target.spec.name, err: String(e) }, 'inventory write failed; retrying with the next change'));
    this.fights = new FightDetector(opts.fight);
  }

  private get cluster(): string {
    return this.target.spec.name;
  }

  /** A full pass, then watches. */
  public async start(): Promise<PassResult> {
    const pass = await this.fullPass();
    await this.watch();
    this.watchDenials();
    const every = this.opts.resyncMs ?? 300_000;
    if (every > 0) {
      this.resync = setInterval(() => {
        this.fullPass().catch((e: unknown) => this.opts.log.error({ cluster: this.cluster, err: String(e) }, 'resync pass failed'));
      }, every);
      this.resync.unref();
    }
    return pass;
  }

  private watchDenials(): void {
    const every = this.opts.denialPollMs ?? 30_000;
    if (every <= 0) return;
    const monitor = new DenialMonitor(this.client, this.target.spec, this.opts);
    const poll = (): void => { monitor.check().catch((e: unknown) => this.opts.log.error({ cluster: this.cluster, err: String(e) }, 'denial count check failed')); };
    poll();
    this.denials = setInterval(poll, every);
    this.denials.unref();
  }

  public async fullPass(): Promise<PassResult> {
    await this.inventory.refresh();
    const pass = await reconcileOnce(this.client, this.predictor, this.target, { write: true, allowMassPrune: this.opts.allowMassPrune ?? false, inventory: this.inventory });
    this.opts.metrics.passes.inc({ cluster: this.cluster, result: pass.result?.completed ? 'ok' : 'incomplete' });
    this.opts.metrics.managed.set({ cluster: this.cluster }, this.target.desired.objects.size);
    this.opts.metrics.revision.set({ cluster: this.cluster, revision: this.target.desired.revision }, 1);
    this.opts.log.info({ cluster: this.cluster, revision: this.target.desired.revision, summary: pass.report.summary, refusal: pass.report.refusal }, 'reconcile pass');
    return pass;
  }

  /** Switches to a new revision: full pass, watches restarted for the new set of kinds and namespaces. */
  public async update(target: ClusterTarget): Promise<void> {
    this.target = target;
    this.watcher?.stop();
    await this.fullPass();
    await this.watch();
  }

  private async watch(): Promise<void> {
    this.watcher?.stop();
    const watcher = new Watcher(this.client, this.opts.log, (type, obj) => this.enqueue(type, obj));
    this.watcher = watcher;
    // Per-namespace watches of the enforced kinds see everything there, palisade's own objects
    // included (whatever their labels): handle() tells desired, owned and foreign apart.
    const objs = [...this.target.desired.objects.values()];
    // A kind granted per namespace (lib/core/kinds.ts) is watched in each namespace holding one.
    const scope = (o: KubeObject): string | undefined => (grantedPerNamespace(o.apiVersion, o.kind) ? o.metadata.namespace : undefined);
    const specOf = (o: KubeObject): WatchSpec => { const ns = scope(o); return { apiVersion: o.apiVersion, kind: o.kind, ...(ns === undefined ? {} : { namespace: ns }) }; };
    const kinds = new Map(objs.map((o) => [`${o.apiVersion}/${o.kind}/${scope(o) ?? ''}`, specOf(o)]));
    const selector = `${PART_OF_LABEL}=${applySetId(this.cluster)}`;
    const starts = [...kinds.values()].map((k) => watcher.start({ ...k, labelSelector: selector }));
    for (const w of this.target.desired.enforcedKinds) {
      for (const ns of this.target.desired.governedNamespaces) starts.push(watcher.start({ ...w, namespace: ns }));
    }
    for (const gk of [...exemptingKinds(this.target.desired), ...this.target.desired.enforcedClusterKinds]) starts.push(watcher.start(gk));
    await Promise.all(starts);
  }

  public stop(): void {
    this.watcher?.stop();
    if (this.resync) clearInterval(this.resync);
    if (this.denials) clearInterval(this.denials);
  }

  /** Waits until the inventory records every correction made so far (tests, shutdown). */
  public async settle(): Promise<void> {
    await this.inventory.flush();
  }

  /** Keys being handled now, and keys that changed meanwhile (handled again, from a fresh read). */
  private readonly inflight = new Set<ResourceKey>();
  private readonly dirty = new Set<ResourceKey>();

  /**
   * Coalesces events per object (the latest state wins) and handles one object at a time: several
   * watches see the same object, and an event that arrives while its object is being corrected is
   * re-read afterwards instead of correcting a stale copy twice.
   */
  private enqueue(type: WatchEventType, obj: KubeObject): void {
    const key = keyOf(idOf(obj));
    if (this.inflight.has(key)) {
      this.dirty.add(key);
      return;
    }
    const first = !this.pending.has(key);
    const whole = holdWhole(key, obj, this.target.desired);
    this.pending.set(key, { type, obj: whole ? obj : slim(obj), whole, at: this.pending.get(key)?.at ?? performance.now() });
    if (first) queueMicrotask(() => { void this.handle(key); });
  }

  private async handle(key: ResourceKey): Promise<void> {
    const ev = this.pending.get(key);
    this.pending.delete(key);
    if (!ev) return;
    this.inflight.add(key);
    try {
      await this.correct(key, ev);
    } catch (e) {
      this.opts.log.error({ cluster: this.cluster, object: formatId(idOf(ev.obj)), err: String(e) }, 'correction failed');
    } finally {
      this.inflight.delete(key);
      if (this.dirty.delete(key)) await this.reread(key, ev.obj);
    }
  }

  /**
   * The same pass as `reconcile --once`, scoped to one object: observe (desired, owned by the
   * inventory's record, or foreign) → plan → apply → inventory → report. A label-selected watch
   * reports an object whose label was stripped as DELETED, so a deleted object is read again.
   */
  private async correct(key: ResourceKey, ev: PendingEvent): Promise<void> {
    if (this.waiting(key, ev.obj)) return;
    // Held as an id only: palisade's business only if its inventory records the object.
    if (!ev.whole && !(await this.inventory.read()).entries.some((e) => e.key === key)) return;
    const id: ResourceId = idOf(ev.obj);
    const scope = new Map([[key, ev.type === 'DELETED' || !ev.whole ? { id } : { id, seen: ev.obj }]]);
    const pass = await reconcileOnce(this.client, this.predictor, this.target, { write: true, scope, allowMassPrune: this.opts.allowMassPrune ?? false, inventory: this.inventory });
    for (const f of pass.report.failures) this.opts.log.error({ cluster: this.cluster, object: formatId(f.id), err: f.error }, 'correction failed');
    for (const item of pass.report.items.filter((i) => i.corrected)) {
      this.done({ key, kind: correctionKind(item), fields: item.fields, at: ev.at }, ev.obj);
      this.afterCorrection(key, ev.obj, [...new Set(item.fields.flatMap((f) => (f.manager ? [f.manager] : [])))]);
    }
  }

  /** Handles `key` again with its current state. */
  private async reread(key: ResourceKey, obj: KubeObject): Promise<void> {
    const now = await this.client.get(idOf(obj)).catch((e: unknown) => { this.opts.log.error({ err: String(e) }, 're-read failed'); return null; });
    if (now === null) return;
    this.enqueue(now ? 'MODIFIED' : 'DELETED', now ?? obj);
  }

  /** During a fight's backoff, corrections of `key` wait: a re-check is queued for when it ends. */
  private waiting(key: ResourceKey, obj: KubeObject): boolean {
    const now = Date.now();
    const check = this.fights.check(key, now);
    if (check.state !== 'backoff') return false;
    this.recheckAt(key, obj, check.untilMs - now);
    return true;
  }

  /**
   * Records a correction; past the fight threshold the object's corrections slow down but never
   * stop (a re-check is queued for the end of the backoff), and the fight is surfaced as a
   * `FightDetected` Event and a metric, so a fight never leaves a security object drifted unseen.
   */
  private afterCorrection(key: ResourceKey, obj: KubeObject, writers: readonly string[]): void {
    const verdict = this.fights.record(key, Date.now());
    if (verdict.state !== 'fight') return;
    this.opts.metrics.fights.inc({ cluster: this.cluster, kind: obj.kind });
    this.opts.log.warn({ cluster: this.cluster, object: formatId(idOf(obj)), corrections: verdict.corrections, backoffMs: verdict.backoffMs, writers }, 'fight with another controller: backing off');
    const who = writers.length > 0 ? writers.join(', ') : 'another writer (managedFields do not tell who)';
    // Labelled so `palisade drift` reports the fight as a finding (fightsOf in observe).
    if (this.opts.events ?? true) void this.record(obj, 'FightDetected', `palisade corrected ${formatId(idOf(obj))} ${verdict.corrections} times in a minute: ${who} keeps changing it; next correction in ${Math.round(verdict.backoffMs / 1000)}s`, { [LABELS.event]: 'fight', [LABELS.cluster]: this.cluster });
    this.recheckAt(key, obj, verdict.backoffMs);
  }

  private readonly rechecks = new Map<ResourceKey, NodeJS.Timeout>();

  /** Looks at `key` again after `ms` (one timer per object), with the object's state at that time. */
  private recheckAt(key: ResourceKey, obj: KubeObject, ms: number): void {
    if (this.rechecks.has(key)) return;
    const timer = setTimeout(() => {
      this.rechecks.delete(key);
      void this.reread(key, obj);
    }, Math.max(ms, 0) + 10);
    timer.unref();
    this.rechecks.set(key, timer);
  }

  private done(c: Correction, obj: KubeObject): void {
    const correction = { ...c, at: performance.now() - c.at };
    this.corrections.push(correction);
    this.opts.onCorrection?.(correction);
    this.opts.metrics.corrections.inc({ cluster: this.cluster, kind: obj.kind, drift: c.kind });
    this.opts.metrics.latency.observe({ cluster: this.cluster }, correction.at / 1000);
    const managers = [...new Set(c.fields.map((f) => f.manager).filter(Boolean))];
    this.opts.log.info({ cluster: this.cluster, object: formatId(idOf(obj)), drift: c.kind, fields: c.fields.map((f) => f.pointer), managers, latencyMs: Math.round(correction.at) }, 'drift corrected');
    if (this.opts.events ?? true) void this.event(obj, c, managers as string[]);
  }

  private async event(obj: KubeObject, c: Correction, managers: string[]): Promise<void> {
    const message = c.kind === 'foreign-removed' ? `palisade removed ${formatId(idOf(obj))}: it widened access in a governed namespace`
      : c.kind === 'pruned' ? `palisade pruned ${formatId(idOf(obj))}: removed from Git`
      : `palisade corrected ${c.kind === 'recreated' ? 'deletion' : `drift in ${c.fields.map((f) => f.pointer).join(', ')}`}${managers.length ? ` (changed by ${managers.join(', ')})` : ''}`;
    await this.record(obj, c.kind === 'foreign-removed' ? 'ForeignObjectRemoved' : 'DriftCorrected', message);
  }

  private record(obj: KubeObject, reason: string, message: string, labels: Record<string, string> = {}): Promise<void> {
    return recordEvent(this.client, this.opts.log, { obj, reason, message, labels });
  }
}

function correctionKind(item: DriftItem): Correction['kind'] {
  switch (item.kind) {
    case 'modified': return 'drift';
    case 'missing': return 'recreated';
    case 'foreign': return 'foreign-removed';
    case 'unpruned': return 'pruned';
    case 'fight': return 'drift';
    default: return assertNever(item.kind, 'drift kind');
  }
}
