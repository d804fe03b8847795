import { kindSpec } from '../core/kinds.js';

/** API group and resource name of a kind palisade manages (for least-privilege RBAC), from the kind table. */
export function resourceOf(apiVersion: string, kind: string): { group: string; resource: string } | undefined {
  const s = kindSpec(apiVersion, kind);
  return s && { group: s.group, resource: s.resource };
}
