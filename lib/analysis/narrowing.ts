import type { KubeObject } from '../core/resource-id.js';
import { isPolicyObject, translatePolicies } from './translate.js';

/**
 * Whether a policy object can only narrow access, decided by the analysis engine's own reading of
 * it (not by its name or kind): translated alone, it has no rule that allows or passes traffic,
 * only denies or none at all (isolation). Anything the engine cannot read fully (not a policy
 * kind, invalid, or with fields it warns it does not model) is not narrowing-only.
 */
export function canOnlyNarrow(obj: KubeObject): boolean {
  if (!isPolicyObject(obj)) return false;
  let set;
  try {
    set = translatePolicies([{ object: obj, source: 'foreign' }]);
  } catch {
    return false;
  }
  if (set.warnings.length > 0 || set.policies.length === 0) return false;
  return set.policies.every((p) => [...(p.ingress ?? []), ...(p.egress ?? [])].every((r) => r.action === 'Deny'));
}
