import * as cnp from '../imports/cnp-policy.networking.k8s.io.js';
import { LABELS } from '../core/labels.js';
import { meta, objectId, type RenderContext } from './context.js';
import { CLOUD_METADATA_CIDR, NAMESPACE_NAME_LABEL } from './selectors.js';

/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, standard channel) guardrails in the
 * Admin tier, evaluated before any NetworkPolicy: cloud metadata denied for agent namespaces, and
 * ingress from other zones denied unless the source zone may flow here.
 */
export function renderClusterNetworkPolicy(ctx: RenderContext): void {
  const { model } = ctx;
  const waived = [...new Set(model.agents.filter((a) => a.allowCloudMetadata).map((a) => a.namespace))].sort();
  
  new cnp.ClusterNetworkPolicy(ctx.chart, objectId('clusternp', 'palisade-deny-cloud-metadata'), {
    metadata: meta(ctx, 'palisade-deny-cloud-metadata', undefined, { sources: model.agents.map((a) => a.source.path), rule: 'guardrail:no-cloud-metadata' }),
    spec: {
      tier: cnp.ClusterNetworkPolicySpecTier.ADMIN, priority: 10,
      subject: { namespaces: { matchLabels: { [LABELS.agentNamespace]: 'true' }, ...(waived.length > 0 ? { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: waived }] } : {}) } },
      egress: [{ name: 'deny-cloud-metadata', action: cnp.ClusterNetworkPolicySpecEgressAction.DENY, to: [{ networks: [CLOUD_METADATA_CIDR] }] }],
    },
  });
  for (const zone of model.zones) {
    const allowedFrom = [zone.name, ...model.zones.filter((z) => z.flowsTo.includes(zone.name)).map((z) => z.name)].sort();
    const name = `palisade-zone-${zone.name}`;
    new cnp.ClusterNetworkPolicy(ctx.chart, objectId('clusternp', name), {
      metadata: meta(ctx, name, undefined, { sources: [zone.source.path], rule: `guardrail:zone-isolation:${zone.name}` }),
      spec: {
        tier: cnp.ClusterNetworkPolicySpecTier.ADMIN, priority: 20,
        subject: { namespaces: { matchLabels: { [LABELS.zone]: zone.name } } },
        ingress: [{
          name: 'deny-from-other-zones', action: cnp.ClusterNetworkPolicySpecIngressAction.DENY,
          from: [{ namespaces: { matchExpressions: [
            { key: LABELS.zone, operator: 'Exists' },
            { key: LABELS.zone, operator: 'NotIn', values: allowedFrom },
          ] } }],
        }],
      },
    });
  }
}
