import { FIELD_MANAGER } from '../../lib/core/labels.js';
import type { KubeObject } from '../../lib/core/resource-id.js';

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  /** client-node turns it into a Date. */
  readonly time?: string | Date;
  readonly fieldsV1?: Record<string, unknown>;
}

/** How deep `fields` (a fieldsV1 set) reaches along the JSON-pointer segments. */
function depth(fields: Record<string, unknown>, segments: readonly string[]): number {
  let node: Record<string, unknown> | undefined = fields;
  let d = 0;
  for (const seg of segments) {
    if (!node) break;
    const byName = node[`f:${seg}`] as Record<string, unknown> | undefined;
    // List items are keyed (k:{...}), by value (v:...) or by index (i:N): accept any item entry.
    const item: Record<string, unknown> | undefined = /^\d+$/.test(seg) ? (Object.entries(node).find(([k]) => /^[kvi]:/.test(k))?.[1] as Record<string, unknown> | undefined) : undefined;
    node = byName ?? item;
    if (!node) break;
    d += 1;
  }
  return d;
}

/**
 * The field manager (other than palisade) that owns the deepest part of `pointer` in the live
 * object, with the time of its last write; undefined when only palisade or nobody claims it.
 */
interface Claim { readonly manager: string; readonly time: string; readonly d: number }

const better = (a: Claim, b: Claim | undefined): boolean => !b || a.d > b.d || (a.d === b.d && a.time > b.time);

export function attribute(live: KubeObject, pointer: string): { manager: string; time?: string } | undefined {
  const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const entries = ((live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []).filter((m) => m.manager && m.manager !== FIELD_MANAGER && m.fieldsV1);
  let best: Claim | undefined;
  for (const m of entries) {
    const claim = { manager: m.manager!, time: m.time instanceof Date ? m.time.toISOString() : (m.time ?? ''), d: depth(m.fieldsV1!, segments) };
    if (claim.d > 0 && better(claim, best)) best = claim;
  }
  return best && { manager: best.manager, ...(best.time ? { time: best.time } : {}) };
}
