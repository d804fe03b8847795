import { assertNever } from '../../lib/core/assert.js';
import type { ResourceId } from '../../lib/core/resource-id.js';
import type { ApplyAction, ApplyResult } from '../apply/apply.js';
import type { AppliedRevision } from '../inventory/revision-record.js';
import type { Denials } from '../observe/denials.js';
import type { Change, ChangeSet, FieldChange, SkipReason } from '../plan/types.js';

/** `fight`: watch mode recently kept correcting this object because another writer kept changing it. */
export type DriftKind = 'modified' | 'missing' | 'foreign' | 'unpruned' | 'fight';

export interface DriftItem {
  readonly id: ResourceId;
  readonly kind: DriftKind;
  readonly fields: readonly FieldChange[];
  readonly detail?: string;
  /** True once palisade corrected it (reconcile), false in a report-only run or on failure. */
  readonly corrected: boolean;
}

export interface DriftReport {
  readonly cluster: string;
  readonly revision: string;
  readonly detectedAt: string;
  /** Objects palisade manages (desired). */
  readonly managed: readonly ResourceId[];
  readonly items: readonly DriftItem[];
  readonly skipped: ReadonlyArray<{ readonly id: ResourceId; readonly reason: SkipReason; readonly detail: string }>;
  readonly failures: ReadonlyArray<{ readonly id: ResourceId; readonly error: string }>;
  readonly refusal?: string;
  /** What palisade last applied to the cluster and whether its signatures were verified (drift reports). */
  readonly live?: AppliedRevision | 'none';
  /** Writes the cluster's protection policy denied (blocked tampers), as counted by the API server (drift reports). */
  readonly denials?: Denials;
  readonly summary: Readonly<Record<ApplyAction, number>>;
}

const EMPTY_SUMMARY: Record<ApplyAction, number> = { created: 0, configured: 0, unchanged: 0, pruned: 0, removed: 0, skipped: 0, failed: 0 };

function itemOf(c: Change, corrected: boolean): DriftItem | undefined {
  switch (c.op) {
    case 'keep': return undefined;
    // Kept on purpose (deny-only foreign) or refused (above the removal cap), but still drift from Git: reported, never claimed corrected.
    case 'skip': return c.drift === undefined ? undefined : { id: c.id, kind: c.drift, fields: [], detail: c.detail, corrected: false };
    case 'create': return { id: c.id, kind: 'missing', fields: [], corrected };
    case 'update': return { id: c.id, kind: 'modified', fields: c.drift, corrected };
    case 'prune': return { id: c.id, kind: 'unpruned', fields: [], detail: 'removed from Git', corrected };
    case 'remove-foreign': return { id: c.id, kind: 'foreign', fields: [], detail: c.reason, corrected };
    default: return assertNever(c, 'change');
  }
}

/** A fight watch mode recorded (a `FightDetected` Event), as a drift finding. */
export interface Fight { readonly id: ResourceId; readonly detail: string }

const fightItems = (fights: readonly Fight[] = []): DriftItem[] => fights.map((f) => ({ id: f.id, kind: 'fight', fields: [], detail: f.detail, corrected: false }));

/** Whether the apply actually wrote an object (never claimed for a failed, skipped or untouched one). */
function correctedBy(result: ApplyResult | undefined): (key: string) => boolean {
  const done = new Map((result?.entries ?? []).map((e) => [e.key as string, e.action]));
  return (key) => { const a = done.get(key); return a !== undefined && a !== 'failed' && a !== 'skipped' && a !== 'unchanged'; };
}

/** Builds the report of one pass from its plan, the fights recorded, and, when it wrote, the apply result. Pure. */
export function buildDriftReport(cs: ChangeSet, result?: ApplyResult, opts: { readonly now?: Date; readonly fights?: readonly Fight[] } = {}): DriftReport {
  const now = opts.now ?? new Date();
  const corrected = correctedBy(result);
  const items = [...cs.changes.map((c) => itemOf(c, corrected(c.key))).filter((i): i is DriftItem => i !== undefined), ...fightItems(opts.fights)];
  const skipped = cs.changes.flatMap((c) => (c.op === 'skip' ? [{ id: c.id, reason: c.reason, detail: c.detail }] : []));
  const summary = { ...EMPTY_SUMMARY };
  for (const e of result?.entries ?? []) summary[e.action] += 1;
  return {
    cluster: cs.cluster, revision: cs.revision, detectedAt: now.toISOString(),
    managed: cs.changes.filter((c) => c.op === 'keep' || c.op === 'create' || c.op === 'update').map((c) => c.id),
    items, skipped,
    failures: (result?.entries ?? []).filter((e) => e.action === 'failed').map((e) => ({ id: e.id, error: e.error ?? 'failed' })),
    ...(cs.refusal ? { refusal: cs.refusal } : {}),
    summary,
  };
}

/** Drift that is still there after this pass. */
export function hasOpenDrift(r: DriftReport): boolean {
  return r.items.some((i) => !i.corrected) || r.refusal !== undefined;
}
