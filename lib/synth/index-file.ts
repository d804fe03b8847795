/**
 * The file layout of a synthesized cluster: one file per object and palisade-index.json. Apart
 * from synthesis, so writing and reading output does not load the renderers.
 */
import { ANNOTATIONS } from '../core/labels.js';
import type { KubeObject } from '../core/resource-id.js';
import type { SynthResult } from './synthesize.js';

export interface IndexEntry {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly sources: readonly string[];
  readonly rule: string;
}

/** `kind.namespace.name.yaml` (or `kind.name.yaml`): stable and readable, no hashes. */
export function fileNameOf(obj: KubeObject): string {
  const parts = [obj.kind.toLowerCase(), obj.metadata.namespace, obj.metadata.name].filter((p): p is string => !!p);
  return `${parts.join('.')}.yaml`;
}

export function indexOf(result: SynthResult): IndexEntry[] {
  return result.objects.map((o) => ({
    file: fileNameOf(o), apiVersion: o.apiVersion, kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    sources: (o.metadata.annotations?.[ANNOTATIONS.source] ?? '').split(',').filter(Boolean),
    rule: o.metadata.annotations?.[ANNOTATIONS.rule] ?? '',
  }));
}
