import pLimit from 'p-limit';
import { assertNever } from '../../lib/core/assert.js';
import { describeError } from '../../lib/core/errors.js';
import { STAGES, type ApplyStage } from '../../lib/core/order.js';
import type { KubeObject, ResourceId, ResourceKey } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import { applyExclusive } from './exclusive.js';
import type { Change, ChangeSet, InventoryEntry } from '../plan/types.js';

/** Results: past tense. */
export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'pruned' | 'removed' | 'skipped' | 'failed';

export interface ApplyEntry {
  readonly id: ResourceId;
  readonly key: ResourceKey;
  readonly action: ApplyAction;
  readonly error?: string;
  /** UID of the object after the write. */
  readonly uid?: string;
  /** resourceVersion the API server gave the object palisade wrote. */
  readonly resourceVersion?: string;
}

export interface ApplyResult {
  readonly entries: readonly ApplyEntry[];
  /** False when a stage failed and later stages were not attempted. */
  readonly completed: boolean;
}

export interface ApplyOptions {
  /** Parallel requests inside a stage. @default 8 */
  readonly concurrency?: number;
  /** Called after each write (progress, events, metrics). */
  readonly onEntry?: (e: ApplyEntry, change: Change) => void;
}

type Write = Extract<Change, { op: 'create' | 'update' | 'prune' | 'remove-foreign' }>;

/** UID and resourceVersion of what the API server stored. */
function stampOf(stored: KubeObject): { uid?: string; resourceVersion?: string } {
  const rv = stored.metadata['resourceVersion'];
  return { ...(stored.metadata.uid ? { uid: stored.metadata.uid } : {}), ...(typeof rv === 'string' ? { resourceVersion: rv } : {}) };
}

async function write(client: ClusterClient, c: Write): Promise<{ action: ApplyAction; uid?: string; resourceVersion?: string }> {
  switch (c.op) {
    case 'create':
      return { action: 'created', ...stampOf(await applyExclusive(client, c.desired)) };
    case 'update':
      return { action: 'configured', ...stampOf(await applyExclusive(client, c.desired, { live: c.live, mode: c.mode, strip: c.drift.filter((f) => f.op === 'add').map((f) => f.pointer) })) };
    case 'prune':
    case 'remove-foreign':
      // The UID precondition makes sure the object deleted is the one observed.
      await client.delete(c.id, c.live.metadata.uid ? { uid: c.live.metadata.uid } : {});
      return { action: c.op === 'prune' ? 'pruned' : 'removed' };
    default:
      return assertNever(c, 'change');
  }
}

async function perform(client: ClusterClient, c: Write): Promise<ApplyEntry> {
  try {
    return { id: c.id, key: c.key, ...(await write(client, c)) };
  } catch (e) {
    return { id: c.id, key: c.key, action: 'failed', error: describeError(e) };
  }
}

const isWrite = (c: Change): c is Write => c.op === 'create' || c.op === 'update' || c.op === 'prune' || c.op === 'remove-foreign';
const isRemoval = (c: Write): boolean => c.op === 'prune' || c.op === 'remove-foreign';

/**
 * Executes a change set: server-side apply with force, stage by stage (namespaces, classes,
 * policies, admission, rest), so nothing of an agent exists before its policies; then removals in
 * reverse stage order. A failed stage stops later applies and every prune, but never the removal of
 * foreign objects: a widening policy someone else added must not outlive an unrelated failure.
 */
export async function apply(client: ClusterClient, cs: ChangeSet, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const limit = pLimit(opts.concurrency ?? 8);
  const entries: ApplyEntry[] = cs.changes.filter((c) => !isWrite(c)).map((c) => ({ id: c.id, key: c.key, action: c.op === 'keep' ? 'unchanged' : 'skipped' }));
  const writes = cs.changes.filter(isWrite);
  const order: Array<{ stage: ApplyStage; removal: boolean }> = [...STAGES.map((stage) => ({ stage, removal: false })), ...[...STAGES].reverse().map((stage) => ({ stage, removal: true }))];
  let failed = false;
  for (const step of order) {
    const batch = writes.filter((c) => c.stage === step.stage && isRemoval(c) === step.removal && (!failed || c.op === 'remove-foreign'));
    const results = await Promise.all(batch.map((c) => limit(async () => {
      const entry = await perform(client, c);
      opts.onEntry?.(entry, c);
      return entry;
    })));
    entries.push(...results);
    failed ||= results.some((r) => r.action === 'failed');
  }
  return { entries, completed: !failed };
}

/** UID and resourceVersion of a live object, as recorded in the inventory. */
export interface LiveStamp { readonly uid: string; readonly resourceVersion: string }

/**
 * The inventory after an apply: what is desired, with the UID and resourceVersion palisade wrote
 * (or, for an object kept because it matched, the live ones it verified), plus recorded objects not
 * removed (survivors). A failed write records no resourceVersion, so nothing vouches for it.
 */
export function nextInventory(previous: readonly InventoryEntry[], cs: ChangeSet, result: ApplyResult, live: ReadonlyMap<ResourceKey, LiveStamp>): InventoryEntry[] {
  const byKey = new Map(result.entries.map((e) => [e.key, e]));
  const next = new Map<ResourceKey, InventoryEntry>();
  for (const c of cs.changes.filter(isDesired)) {
    const entry = recordOf(c, byKey.get(c.key), live.get(c.key));
    if (entry) next.set(c.key, entry);
  }
  const forgotten = forgottenKeys(cs);
  for (const e of previous) {
    if (!next.has(e.key) && byKey.get(e.key)?.action !== 'pruned' && !forgotten.has(e.key)) next.set(e.key, e);
  }
  return [...next.values()];
}

const isDesired = (c: Change): c is Extract<Change, { op: 'create' | 'update' | 'keep' }> => c.op === 'create' || c.op === 'update' || c.op === 'keep';

/** Objects gone or replaced by someone else are no longer palisade's (failed or refused prunes survive). */
function forgottenKeys(cs: ChangeSet): Set<ResourceKey> {
  return new Set(cs.changes.filter((c) => c.op === 'skip' && (c.reason === 'already-gone' || c.reason === 'uid-mismatch')).map((c) => c.key));
}

/** The inventory record of a desired object after the apply, or undefined when it has no UID (never written). */
function recordOf(c: Extract<Change, { op: 'create' | 'update' | 'keep' }>, entry: ApplyEntry | undefined, live: LiveStamp | undefined): InventoryEntry | undefined {
  const uid = entry?.uid ?? live?.uid;
  if (!uid) return undefined;
  const resourceVersion = c.op === 'keep' ? (live?.resourceVersion ?? '') : (entry?.resourceVersion ?? '');
  return { key: c.key, id: c.id, uid, resourceVersion };
}
