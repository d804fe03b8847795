import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { formatId, idOf, keyOf, type KubeObject, type ResourceKey } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import { applyExclusive } from '../apply/exclusive.js';
import { applySetId, PART_OF_LABEL } from '../inventory/inventory.js';
import { exemptingKinds, exemptsFromPalisade, isExemptingKind } from '../observe/foreign.js';
import { WIDENING_KINDS } from '../observe/observe.js';
import { Predictor } from '../observe/predict.js';
import { driftOf } from '../plan/diff.js';
import { defaultMode } from '../plan/plan.js';
import type { FieldChange } from '../plan/types.js';
import type { ClusterTarget } from '../source/desired.js';
import { FightDetector, type FightOptions } from './fight.js';
import { reconcileOnce, type PassResult } from './reconcile-once.js';
import type { Metrics } from './telemetry.js';
import { Watcher, type WatchEventType } from './watcher.js';

export interface ControllerOptions {
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly allowMassPrune?: boolean;
  readonly fight?: FightOptions;
  /** Emit Kubernetes Events on corrected objects. @default true */
  readonly events?: boolean;
  /** Called after each correction (benchmarks, tests). */
  readonly onCorrection?: (c: Correction) => void;
}

/** A correction the controller made in watch mode. */
export interface Correction {
  readonly key: ResourceKey;
  readonly kind: 'drift' | 'recreated' | 'foreign-removed';
  readonly fields: readonly FieldChange[];
  readonly at: number;
}

/**
 * Keeps one cluster equal to its desired set: a full pass at start (and on each new revision),
 * then watches palisade's objects (by ApplySet label) and the widening kinds in governed
 * namespaces, correcting each change as it arrives.
 */
export class ClusterController {
  private readonly predictor: Predictor;
  private readonly fights: FightDetector;
  private watcher: Watcher | undefined;
  private readonly pending = new Map<ResourceKey, { type: WatchEventType; obj: KubeObject; at: number }>();
  public readonly corrections: Correction[] = [];

  public constructor(private readonly client: ClusterClient, private target: ClusterTarget, private readonly opts: ControllerOptions) {
    this.predictor = new Predictor(client);
    this.fights = new FightDetector(opts.fight);
  }

  private get cluster(): string {
    return this.target.spec.name;
  }

  /** A full pass, then watches. */
  public async start(): Promise<PassResult> {
    const pass = await this.fullPass();
    await this.watch();
    return pass;
  }

  public async fullPass(): Promise<PassResult> {
    const pass = await reconcileOnce(this.client, this.predictor, this.target, { write: true, allowMassPrune: this.opts.allowMassPrune ?? false });
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
    // Per-namespace watches of the widening kinds also see palisade's own objects; the managed watch handles those.
    const onlyForeign = (type: WatchEventType, obj: KubeObject): void => { if (obj.metadata.labels?.[PART_OF_LABEL] !== applySetId(this.cluster)) this.enqueue(type, obj); };
    const objs = [...this.target.desired.objects.values()];
    const kinds = new Map(objs.map((o) => [`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }]));
    const selector = `${PART_OF_LABEL}=${applySetId(this.cluster)}`;
    const starts = [...kinds.values()].map((k) => watcher.start({ ...k, labelSelector: selector }));
    for (const w of WIDENING_KINDS.filter((k) => kinds.has(`${k.apiVersion}/${k.kind}`))) {
      for (const ns of this.target.desired.governedNamespaces) starts.push(watcher.start({ ...w, namespace: ns }, onlyForeign));
    }
    for (const gk of exemptingKinds(this.target.desired)) starts.push(watcher.start(gk, onlyForeign));
    await Promise.all(starts);
  }

  public stop(): void {
    this.watcher?.stop();
  }

  /** Coalesces events per object; the latest state wins. */
  private enqueue(type: WatchEventType, obj: KubeObject): void {
    const key = keyOf(idOf(obj));
    const first = !this.pending.has(key);
    this.pending.set(key, { type, obj, at: this.pending.get(key)?.at ?? performance.now() });
    if (first) queueMicrotask(() => { void this.handle(key); });
  }

  private async handle(key: ResourceKey): Promise<void> {
    const ev = this.pending.get(key);
    this.pending.delete(key);
    if (!ev) return;
    try {
      if (this.target.desired.objects.has(key)) await this.correct(key, ev.type === 'DELETED' ? undefined : ev.obj, ev.at);
      else if (ev.type !== 'DELETED' && this.isForeign(ev.obj)) await this.removeForeign(key, ev.obj, ev.at);
    } catch (e) {
      this.opts.log.error({ cluster: this.cluster, object: formatId(idOf(ev.obj)), err: String(e) }, 'correction failed');
    }
  }

  private isForeign(obj: KubeObject): boolean {
    if (obj.metadata.labels?.[PART_OF_LABEL] === applySetId(this.cluster)) return false;
    if (isExemptingKind(obj)) return exemptsFromPalisade(obj, this.target.desired);
    return this.target.desired.governedNamespaces.includes(obj.metadata.namespace ?? '');
  }

  private async correct(key: ResourceKey, live: KubeObject | undefined, at: number): Promise<void> {
    const desired = this.target.desired.objects.get(key)!;
    let fields: FieldChange[] = [];
    if (live) {
      fields = driftOf((await this.predictor.predict(desired)) ?? desired, live, defaultMode(desired.kind));
      if (fields.length === 0) return;
    }
    if (this.blocked(key, desired)) return;
    const strip = defaultMode(desired.kind) === 'exclusive' ? fields.filter((f) => f.op === 'add').map((f) => f.pointer) : [];
    await applyExclusive(this.client, desired, strip);
    this.done({ key, kind: live ? 'drift' : 'recreated', fields, at }, desired);
  }

  private async removeForeign(key: ResourceKey, obj: KubeObject, at: number): Promise<void> {
    if (this.blocked(key, obj)) return;
    await this.client.delete(idOf(obj), obj.metadata.uid ? { uid: obj.metadata.uid } : {});
    this.done({ key, kind: 'foreign-removed', fields: [], at }, obj);
  }

  private blocked(key: ResourceKey, obj: KubeObject): boolean {
    const now = Date.now();
    if (this.fights.check(key, now).state === 'backoff') return true;
    const verdict = this.fights.record(key, now);
    if (verdict.state !== 'fight') return false;
    this.opts.metrics.fights.inc({ cluster: this.cluster, kind: obj.kind });
    this.opts.log.warn({ cluster: this.cluster, object: formatId(idOf(obj)), corrections: verdict.corrections, backoffMs: verdict.backoffMs }, 'fight with another controller: backing off');
    return true;
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
      : `palisade corrected ${c.kind === 'recreated' ? 'deletion' : `drift in ${c.fields.map((f) => f.pointer).join(', ')}`}${managers.length ? ` (changed by ${managers.join(', ')})` : ''}`;
    const now = new Date().toISOString();
    await this.client.create({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(6).toString('hex')}`, namespace: obj.metadata.namespace ?? 'default' },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}) },
      reason: c.kind === 'foreign-removed' ? 'ForeignObjectRemoved' : 'DriftCorrected', message, type: 'Warning',
      source: { component: 'palisade' }, firstTimestamp: now, lastTimestamp: now, count: 1,
    }).catch((e: unknown) => this.opts.log.debug({ err: String(e) }, 'event not recorded'));
  }
}
