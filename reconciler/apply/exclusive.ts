import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';

/**
 * Server-side apply with force, then, for exclusive ownership, removal of fields nobody declared
 * that apply leaves in place because another manager owns them (an extra label, a key in a
 * granular map). The removal is a replace guarded by the resourceVersion apply returned.
 */
export async function applyExclusive(client: ClusterClient, desired: KubeObject, strip: readonly string[]): Promise<KubeObject> {
  const stored = await client.apply(desired, { force: true });
  const present = strip.filter((p) => { try { return jsonpatch.getValueByPointer(stored, p) !== undefined; } catch { return false; } });
  if (present.length === 0) return stored;
  // Deepest and last first, so removing one array item does not shift the next pointer.
  const ops = [...present].sort().reverse().map((path) => ({ op: 'remove' as const, path }));
  const cleaned = jsonpatch.applyPatch(structuredClone(stored), ops, false, false).newDocument;
  return client.replace(cleaned);
}
