import * as ccnp from '../../imports/cilium-ccnp-cilium.io.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { CLOUD_METADATA_DENY } from '../selectors.js';
import { metadataDenyScope, sortedLabels } from '../topology.js';
import { clusterDnsPeer } from './dns.js';
import { NS_LABEL, SERVICE_ACCOUNT_LABEL } from './labels.js';

const Proto = ccnp.CiliumClusterwideNetworkPolicySpecEgressDenyToPortsPortsProtocol;

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

const ToEntity = ccnp.CiliumClusterwideNetworkPolicySpecEgressDenyToEntities;
const FromEntity = ccnp.CiliumClusterwideNetworkPolicySpecIngressDenyFromEntities;

/** Every Cilium entity that is not a pod, except `host` (the node's kubelet) and the aggregates (`all`, `cluster`, `none`). */
const NOT_PODS_BUT_HOST = [
  [ToEntity.WORLD, FromEntity.WORLD], [ToEntity.REMOTE_HYPHEN_NODE, FromEntity.REMOTE_HYPHEN_NODE], [ToEntity.KUBE_HYPHEN_APISERVER, FromEntity.KUBE_HYPHEN_APISERVER],
  [ToEntity.INGRESS, FromEntity.INGRESS], [ToEntity.HEALTH, FromEntity.HEALTH], [ToEntity.INIT, FromEntity.INIT], [ToEntity.UNMANAGED, FromEntity.UNMANAGED],
] as const;

/**
 * What a quarantined pod may not send. Deny beats every allow (CNP, CCNP and Kubernetes
 * NetworkPolicy alike), so the quarantine does not rest on other allows excluding the pod: without
 * DNS, everything; with DNS, every entity and every pod except the cluster DNS pods (E1 of the
 * dataplane review: denying `world` alone left in-cluster allows of foreign policies in force).
 * The DNS proxy then lets a quarantined pod resolve cluster-internal names only.
 */
function quarantineEgressDeny(ctx: RenderContext): ccnp.CiliumClusterwideNetworkPolicySpecEgressDeny[] {
  if (!ctx.model.quarantine.keepDns) return [{ toEntities: [ToEntity.ALL] }];
  const Op = ccnp.CiliumClusterwideNetworkPolicySpecEgressDenyToEndpointsMatchExpressionsOperator;
  const { dns } = ctx.cluster;
  return [
    { toEntities: [...NOT_PODS_BUT_HOST.map(([to]) => to), ToEntity.HOST] },
    { toEndpoints: [{ matchExpressions: [{ key: NS_LABEL, operator: Op.NOT_IN, values: [dns.namespace] }] }] },
    // Pods of the DNS namespace that lack one of the DNS pods' labels (one rule a label: a union).
    ...Object.entries(sortedLabels(dns.podLabels)).map(([key, value]) => ({
      toEndpoints: [{ matchLabels: { [NS_LABEL]: dns.namespace }, matchExpressions: [{ key: `k8s:${key}`, operator: Op.NOT_IN, values: [value] }] }],
    })),
    // The DNS pods themselves on every port but 53 (a foreign allow could open their metrics or health ports).
    { toEndpoints: [clusterDnsPeer(dns)], toPorts: [{ ports: [{ port: '1', endPort: 52, protocol: Proto.ANY }, { port: '54', endPort: 65535, protocol: Proto.ANY }] }] },
  ];
}

/**
 * What a quarantined pod may not receive: everything but its own node's kubelet (E5), so liveness
 * and readiness probes keep passing and the container is not restarted, which would lose its
 * in-memory state before anyone looked at it. Calico behaves the same (it does not police host to
 * endpoint traffic).
 */
function quarantineIngressDeny(): ccnp.CiliumClusterwideNetworkPolicySpecIngressDeny[] {
  return [{ fromEntities: NOT_PODS_BUT_HOST.map(([, from]) => from) }, { fromEndpoints: [{}] }];
}

/** Cluster-wide deny rules (deny beats allow in Cilium): cloud metadata and quarantine. */
export function renderCiliumGuardrails(ctx: RenderContext): void {
  const { model } = ctx;
  metadataDeny(ctx);
  const q = model.quarantine;
  new ccnp.CiliumClusterwideNetworkPolicy(ctx.chart, objectId('ccnp', 'palisade-quarantine'), {
    metadata: meta(ctx, 'palisade-quarantine', undefined, { sources: [q.source.path], rule: 'quarantine' }),
    spec: {
      endpointSelector: { matchLabels: { [q.label]: 'true' } },
      ingressDeny: quarantineIngressDeny(),
      egressDeny: quarantineEgressDeny(ctx),
    },
  });
}
