import * as ccnp from '../../imports/cilium-ccnp-cilium.io.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { CLOUD_METADATA_DENY } from '../selectors.js';
import { metadataDenyScope, sortedLabels } from '../topology.js';
import { NS_LABEL, SERVICE_ACCOUNT_LABEL } from './labels.js';

const In = ccnp.CiliumClusterwideNetworkPolicySpecEndpointSelectorMatchExpressionsOperator.IN;

/**
 * Cloud metadata denied for every pod of agent namespaces; where an agent waives it, for every
 * other agent of that namespace, by identity (a waiver lifts the deny for its own pods only).
 */
function metadataDeny(ctx: RenderContext): void {
  const { model } = ctx;
  const scope = metadataDenyScope(model);
  const rule = 'guardrail:no-cloud-metadata';
  if (scope.namespaces.length > 0) {
    new ccnp.CiliumClusterwideNetworkPolicy(ctx.chart, objectId('ccnp', 'palisade-deny-cloud-metadata'), {
      metadata: meta(ctx, 'palisade-deny-cloud-metadata', undefined, { sources: model.agents.filter((a) => scope.namespaces.includes(a.namespace)).map((a) => a.source.path), rule }),
      spec: { endpointSelector: { matchExpressions: [{ key: NS_LABEL, operator: In, values: [...scope.namespaces] }] }, egressDeny: [{ toCidr: [...CLOUD_METADATA_DENY] }] },
    });
  }
  for (const a of scope.agents) {
    const name = `palisade-deny-cloud-metadata-${a.name}`;
    new ccnp.CiliumClusterwideNetworkPolicy(ctx.chart, objectId('ccnp', name), {
      metadata: meta(ctx, name, undefined, { sources: [a.source.path], rule }),
      spec: { endpointSelector: { matchLabels: sortedLabels({ [NS_LABEL]: a.namespace, [SERVICE_ACCOUNT_LABEL]: a.serviceAccount }) }, egressDeny: [{ toCidr: [...CLOUD_METADATA_DENY] }] },
    });
  }
}

/** Cluster-wide deny rules (deny beats allow in Cilium): cloud metadata and quarantine. */
export function renderCiliumGuardrails(ctx: RenderContext): void {
  const { model } = ctx;
  metadataDeny(ctx);
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
