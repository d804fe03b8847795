import { createTwoFilesPatch } from 'diff';
import { dump } from 'js-yaml';
import { formatId, idOf as resourceIdOf, type KubeObject } from '../core/resource-id.js';
import type { ObjectChange } from './types.js';

const idOf = (o: KubeObject): string => formatId(resourceIdOf(o));
const yamlOf = (o: KubeObject | undefined): string => (o === undefined ? '' : dump(o, { sortKeys: true, lineWidth: 120, noRefs: true }));

/** The raw object diff (unified, per object), for the collapsed section of a review. */
export function objectChanges(cluster: string, before: readonly KubeObject[], after: readonly KubeObject[]): ObjectChange[] {
  const b = new Map(before.map((o) => [idOf(o), o]));
  const a = new Map(after.map((o) => [idOf(o), o]));
  const out: ObjectChange[] = [];
  for (const id of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = yamlOf(b.get(id));
    const y = yamlOf(a.get(id));
    if (x === y) continue;
    const change = x === '' ? 'added' : y === '' ? 'removed' : 'changed';
    const patch = createTwoFilesPatch(`a/${cluster}/${id}`, `b/${cluster}/${id}`, x, y, undefined, undefined, { context: 2 });
    out.push({ cluster, id, change, patch: patch.split('\n').slice(1).join('\n') });
  }
  return out;
}
