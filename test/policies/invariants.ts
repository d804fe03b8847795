import { expect } from 'vitest';
import { assertNever } from '../../lib/core/assert.js';
import { LABELS, type KubeObject, type SynthResult } from '../../lib/index.js';

const find = (objects: readonly KubeObject[], kind: string, name: string, ns?: string): KubeObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

/** Every namespace that runs an agent is default-deny in both directions on the cluster's dataplane. */
export function assertDefaultDeny(result: SynthResult): void {
  const { objects, model, cluster } = result;
  for (const ns of new Set(model.agents.map((a) => a.namespace))) {
    const namespace = find(objects, 'Namespace', ns);
    expect(namespace?.metadata.labels?.[LABELS.agentNamespace], `Namespace/${ns}`).toBe('true');
    switch (cluster.network) {
      case 'kubernetes':
        expect(find(objects, 'NetworkPolicy', 'palisade-default-deny', ns)?.['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        break;
      case 'cilium':
        expect(find(objects, 'CiliumNetworkPolicy', 'palisade-default-deny', ns)?.['spec']).toMatchObject({ endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true } });
        break;
      case 'calico': {
        expect(namespace?.metadata.labels?.[LABELS.zone]).toBeTruthy();
        expect(find(objects, 'Tier', 'palisade')?.['spec']).toMatchObject({ defaultAction: 'Deny' });
        expect(find(objects, 'GlobalNetworkPolicy', 'palisade.default-deny')?.['spec']).toMatchObject({ namespaceSelector: `has(${LABELS.zone})`, selector: 'all()', types: ['Ingress', 'Egress'] });
        break;
      }
      default: assertNever(cluster.network);
    }
  }
}
