import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { attribute } from './attribution.js';
import { normalize } from './normalize.js';
import type { FieldChange, OwnershipMode } from './types.js';

function valueAt(doc: unknown, pointer: string): unknown {
  try {
    return jsonpatch.getValueByPointer(doc, pointer) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Fields where `live` departs from `predicted` (desired plus server defaults). In `exclusive` mode
 * every difference counts, including fields nobody declared in Git; in `merge` mode only the
 * fields palisade declares (a field added by someone else is left alone).
 */
export function driftOf(predicted: KubeObject, live: KubeObject, mode: OwnershipMode): FieldChange[] {
  const want = normalize(predicted);
  const have = normalize(live);
  const ops = jsonpatch.compare(want, have);
  const changes: FieldChange[] = [];
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') continue;
    if (mode === 'merge' && op.op === 'add') continue;
    const who = attribute(live, op.path);
    const before = valueAt(want, op.path);
    const after = op.op === 'remove' ? undefined : (op as { value: unknown }).value;
    changes.push({ pointer: op.path, op: op.op, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }), ...(who ? { manager: who.manager, ...(who.time ? { time: who.time } : {}) } : {}) });
  }
  return changes;
}
