/**
 * The digest of one cluster's rendered output: SHA-256 over its objects as canonical JSON, in id
 * order. Synthesis is hermetic (no network, a fixed clock, seeded randomness), so the output a
 * review saw and the output a reconciler renders from the same revision have one digest, and a
 * reviewer can bind an approval to it (`Palisade-Digest:` trailers, see README "Pull-request review").
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical.js';
import { formatId, idOf, type KubeObject } from '../core/resource-id.js';

export function outputDigest(objects: readonly KubeObject[]): string {
  const sorted = [...objects].sort((a, b) => (formatId(idOf(a)) < formatId(idOf(b)) ? -1 : 1));
  return `sha256:${createHash('sha256').update(canonicalJson(sorted)).digest('hex')}`;
}

/** The commit-message trailer that records a reviewed digest. */
export const DIGEST_TRAILER = 'Palisade-Digest';

/** `Palisade-Digest: <cluster> sha256:<hex>` lines of a commit message, by cluster (the last one wins). */
export function digestTrailers(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of message.matchAll(/^Palisade-Digest:\s*([a-z0-9][-a-z0-9]*)\s+(sha256:[0-9a-f]{64})\s*$/gm)) out.set(m[1]!, m[2]!);
  return out;
}
