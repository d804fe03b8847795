import * as ccnp from '../../imports/cilium-ccnp-cilium.io.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { CLOUD_METADATA_CIDR } from '../selectors.js';

/** Cluster-wide deny rules (deny beats allow in Cilium): cloud metadata and quarantine. */
export function renderCiliumGuardrails(ctx: RenderContext): void {
  const { model } = ctx;
  const waived = new Set(model.agents.filter((a) => a.allowCloudMetadata).map((a) => a.namespace));
  const namespaces = [...new Set(model.agents.map((a) => a.namespace))].filter((n) => !waived.has(n)).sort();
  if (namespaces.length > 0) {
    new ccnp.CiliumClusterwideNetworkPolicy(ctx.chart, objectId('ccnp', 'palisade-deny-cloud-metadata'), {
      metadata: meta(ctx, 'palisade-deny-cloud-metadata', undefined, { sources: model.agents.filter((a) => namespaces.includes(a.namespace)).map((a) => a.source.path), rule: 'guardrail:no-cloud-metadata' }),
      spec: {
        endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: ccnp.CiliumClusterwideNetworkPolicySpecEndpointSelectorMatchExpressionsOperator.IN, values: namespaces }] },
        egressDeny: [{ toCidr: [CLOUD_METADATA_CIDR] }],
      },
    });
  }
  const q = model.quarantine;
  const E = ccnp.CiliumClusterwideNetworkPolicySpecEgressDenyToEntities;
  new ccnp.CiliumClusterwideNetworkPolicy(ctx.chart, objectId('ccnp', 'palisade-quarantine'), {
    metadata: meta(ctx, 'palisade-quarantine', undefined, { sources: [q.source.path], rule: 'quarantine' }),
    spec: {
      endpointSelector: { matchLabels: { [q.label]: 'true' } },
      ingressDeny: [{ fromEntities: [ccnp.CiliumClusterwideNetworkPolicySpecIngressDenyFromEntities.ALL] }],
      // Keeping DNS: deny everything outside the cluster; in-cluster allows already exclude quarantined pods.
      egressDeny: [{ toEntities: q.keepDns ? [E.WORLD] : [E.ALL] }],
    },
  });
}
