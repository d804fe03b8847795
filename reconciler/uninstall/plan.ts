/**
 * What `palisade uninstall` removes, in which order (pure): the protection policy first (its
 * binding, then the policy), so nothing it guards is locked while palisade's objects go; then
 * everything else the inventory records, in reverse apply order; Namespaces last and only when
 * asked (deleting a Namespace deletes the workloads in it).
 */
import { STAGES, stageOf, type ApplyStage } from '../../lib/core/order.js';
import { formatId, type ResourceId } from '../../lib/core/resource-id.js';

export interface UninstallPlan {
  /** In deletion order. */
  readonly remove: readonly ResourceId[];
  /** Kept on purpose (Namespaces unless asked). */
  readonly keep: readonly ResourceId[];
}

const protectionName = (cluster: string): string => `palisade-protect-${cluster}`;

/** The stage an inventory entry was applied in (the protection policy by its name, as only ids are recorded). */
function stageOfEntry(id: ResourceId, cluster: string): ApplyStage {
  if (id.kind.startsWith('ValidatingAdmissionPolicy') && id.name === protectionName(cluster)) return 'protection';
  return stageOf({ kind: id.kind });
}

const order = (id: ResourceId, cluster: string): string => {
  const stage = stageOfEntry(id, cluster);
  // Reverse stages; inside the protection stage the binding goes before its policy.
  const bindingFirst = id.kind.endsWith('Binding') ? '0' : '1';
  return `${String(STAGES.length - STAGES.indexOf(stage)).padStart(2, '0')}|${bindingFirst}|${formatId(id)}`;
};

export function uninstallPlan(entries: readonly ResourceId[], cluster: string, opts: { readonly namespaces: boolean }): UninstallPlan {
  const sorted = [...entries].sort((a, b) => (order(a, cluster) < order(b, cluster) ? -1 : 1));
  const isNamespace = (id: ResourceId): boolean => id.kind === 'Namespace';
  return { remove: sorted.filter((id) => opts.namespaces || !isNamespace(id)), keep: opts.namespaces ? [] : sorted.filter(isNamespace) };
}
