import * as cnp from '../imports/cnp-policy.networking.k8s.io.js';
import { LABELS } from '../core/labels.js';
import { meta, objectId, type RenderContext } from './context.js';
import { CLOUD_METADATA_DENY, NAMESPACE_NAME_LABEL } from './selectors.js';
import { metadataDenyScope, sortedLabels } from './topology.js';

const DENY_METADATA = [{ name: 'deny-cloud-metadata', action: cnp.ClusterNetworkPolicySpecEgressAction.DENY, to: [{ networks: [...CLOUD_METADATA_DENY] }] }];

/**
 * Cloud metadata denied for agent namespaces without a waiver; in a namespace where an agent
 * waives it, for each other agent's pods (by labels, which admission binds to the ServiceAccount).
 */
function metadataDeny(ctx: RenderContext): void {
  const { model } = ctx;
  const scope = metadataDenyScope(model);
  const rule = 'guardrail:no-cloud-metadata';
  if (scope.namespaces.length > 0) {
    new cnp.ClusterNetworkPolicy(ctx.chart, objectId('clusternp', 'palisade-deny-cloud-metadata'), {
      metadata: meta(ctx, 'palisade-deny-cloud-metadata', undefined, { sources: model.agents.filter((a) => scope.namespaces.includes(a.namespace)).map((a) => a.source.path), rule }),
      spec: { tier: cnp.ClusterNetworkPolicySpecTier.ADMIN, priority: 10, subject: { namespaces: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...scope.namespaces] }] } }, egress: DENY_METADATA },
    });
  }
  for (const a of scope.agents) {
    const name = `palisade-deny-cloud-metadata-${a.name}`;
    new cnp.ClusterNetworkPolicy(ctx.chart, objectId('clusternp', name), {
      metadata: meta(ctx, name, undefined, { sources: [a.source.path], rule }),
      spec: { tier: cnp.ClusterNetworkPolicySpecTier.ADMIN, priority: 10, subject: { pods: { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: a.namespace } }, podSelector: { matchLabels: sortedLabels(a.podLabels) } } }, egress: DENY_METADATA },
    });
  }
}

/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, standard channel) guardrails in the
 * Admin tier: cloud metadata denied for agent namespaces, and ingress from other zones denied unless
 * the source zone may flow here. The Admin tier runs before Kubernetes NetworkPolicy; on Calico it is
 * the kube-admin tier (order 1,000), which runs before tier `palisade` (PALISADE_TIER_ORDER).
 */
export function renderClusterNetworkPolicy(ctx: RenderContext): void {
  const { model } = ctx;
  metadataDeny(ctx);
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
