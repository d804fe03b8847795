import type { KubeObject } from '../../lib/core/resource-id.js';

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const IGNORED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

type Json = Record<string, unknown>;

function without(map: unknown, keys: readonly string[]): Json | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const out = Object.fromEntries(Object.entries(map).filter(([k]) => !keys.includes(k)));
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The comparable part of an object: server bookkeeping, status and annotations written by
 * clients for themselves are dropped; everything a user or controller can set stays.
 */
export function normalize(obj: KubeObject): Json {
  const { status: _status, metadata, ...rest } = obj as KubeObject & { status?: unknown };
  const md: Json = { ...metadata };
  for (const k of SERVER_METADATA) delete md[k];
  const annotations = without(metadata.annotations, IGNORED_ANNOTATIONS);
  const labels = without(metadata.labels, obj.kind === 'Namespace' ? ['kubernetes.io/metadata.name'] : []);
  if (annotations) md['annotations'] = annotations;
  else delete md['annotations'];
  if (labels) md['labels'] = labels;
  else delete md['labels'];
  return { ...rest, metadata: md };
}
