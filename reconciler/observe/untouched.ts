import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/core/canonical.js';
import { ANNOTATIONS } from '../../lib/core/labels.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { normalize } from '../plan/normalize.js';

/** `obj` annotated with the SHA-256 of itself (as the reconciler will apply it). */
export function withDesiredHash(obj: KubeObject): KubeObject {
  const hash = createHash('sha256').update(canonicalJson(obj)).digest('hex');
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [ANNOTATIONS.desiredHash]: hash } } };
}

/** Every field of `want` is in `have` with the same value; lists have the same length. */
function covers(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => covers(w, have[i]));
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => covers(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

/**
 * True when `live` is provably what the API server made of `desired` and nobody changed it since:
 * its resourceVersion is the one palisade recorded in its inventory when it wrote or verified the
 * object (the API server assigns it and bumps it on every write, so no other writer can keep it;
 * labels, annotations, desired hashes and field-manager names on the object can all be forged), the
 * desired hash palisade wrote then is today's, and every declared field is present with its value.
 * Then `live` itself is the prediction and no server-side dry-run is needed. False means
 * "not proven", never "drifted".
 */
export function untouchedSinceApply(desired: KubeObject, live: KubeObject, recordedVersion: string | undefined): boolean {
  const hash = desired.metadata.annotations?.[ANNOTATIONS.desiredHash];
  if (hash === undefined || live.metadata.annotations?.[ANNOTATIONS.desiredHash] !== hash) return false;
  const version = live.metadata['resourceVersion'];
  if (recordedVersion === undefined || recordedVersion === '' || version !== recordedVersion) return false;
  return covers(normalize(desired), normalize(live));
}
