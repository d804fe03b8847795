import type { SourcedObject } from './inputs.js';

/**
 * Input kinds that change connectivity but that palisade does not model: OVN-Kubernetes
 * user-defined networks and secondary networks, KubeVirt VMs. Their presence is reported.
 */
export const UNSUPPORTED_KINDS: ReadonlySet<string> = new Set([
  'UserDefinedNetwork',
  'ClusterUserDefinedNetwork',
  'NetworkAttachmentDefinition',
  'MultiNetworkPolicy',
  'VirtualMachine',
  'VirtualMachineInstance',
]);

export function unsupportedKinds(objects: readonly SourcedObject[]): string[] {
  return [...new Set(objects.map((o) => String(o.object['kind'])).filter((k) => UNSUPPORTED_KINDS.has(k)))].sort();
}
