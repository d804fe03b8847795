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
 * fields palisade declares, and undeclared fields under one of `weakening` (a field added by
 * someone else elsewhere is left alone).
 */
export function driftOf(predicted: KubeObject, live: KubeObject, mode: OwnershipMode, weakening: readonly string[] = []): FieldChange[] {
  const want = normalize(predicted);
  const have = normalize(live);
  const counts = (path: string): boolean => mode === 'exclusive' || weakening.some((w) => path === w || path.startsWith(`${w}/`));
  const ops = jsonpatch.compare(want, have).filter((op): op is Op => (op.op === 'add' && counts(op.path)) || op.op === 'remove' || op.op === 'replace');
  return ops.map((op) => {
    const who = attribute(live, op.path);
    const before = valueAt(want, op.path);
    const after = op.op === 'remove' ? undefined : op.value;
    return { pointer: op.path, op: op.op, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }), ...(who ?? {}) };
  });
}

type Op = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };
