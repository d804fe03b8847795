import { assertNever } from '../../lib/core/assert.js';
import type { ResourceId } from '../../lib/core/resource-id.js';
import type { ApplyAction, ApplyResult } from '../apply/apply.js';
import type { ChangeSet, FieldChange, SkipReason } from '../plan/types.js';

export type DriftKind = 'modified' | 'missing' | 'foreign' | 'unpruned';

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
  readonly summary: Readonly<Record<ApplyAction, number>>;
}

const EMPTY_SUMMARY: Record<ApplyAction, number> = { created: 0, configured: 0, unchanged: 0, pruned: 0, removed: 0, skipped: 0, failed: 0 };

/** Builds the report of one pass from its plan and, when it wrote, the apply result. Pure. */
export function buildDriftReport(cs: ChangeSet, result?: ApplyResult, now: Date = new Date()): DriftReport {
  const done = new Map((result?.entries ?? []).map((e) => [e.key, e]));
  const corrected = (key: string): boolean => { const a = done.get(key as never)?.action; return a !== undefined && a !== 'failed' && a !== 'skipped' && a !== 'unchanged'; };
  const items: DriftItem[] = [];
  const skipped: Array<DriftReport['skipped'][number]> = [];
  for (const c of cs.changes) {
    switch (c.op) {
      case 'keep': break;
      case 'create': items.push({ id: c.id, kind: 'missing', fields: [], corrected: corrected(c.key) }); break;
      case 'update': items.push({ id: c.id, kind: 'modified', fields: c.drift, corrected: corrected(c.key) }); break;
      case 'prune': items.push({ id: c.id, kind: 'unpruned', fields: [], detail: 'removed from Git', corrected: corrected(c.key) }); break;
      case 'remove-foreign': items.push({ id: c.id, kind: 'foreign', fields: [], detail: c.reason, corrected: corrected(c.key) }); break;
      case 'skip': skipped.push({ id: c.id, reason: c.reason, detail: c.detail }); break;
      default: assertNever(c, 'change');
    }
  }
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
