import * as gnp from '../../imports/calico-gnp-projectcalico.org.js';
import * as np from '../../imports/calico-np-projectcalico.org.js';
import { Tier } from '../../imports/calico-tier-projectcalico.org.js';
import { LABELS } from '../../core/labels.js';
import type { PortSpec } from '../../model/model.js';
import { meta, objectId, unsupported, type RenderContext } from '../context.js';
import { fallbackRanges } from '../fallback.js';
import { CLOUD_METADATA_CIDRS } from '../selectors.js';
import type { WorkloadSelector } from '../../model/model.js';
import { agentOf, ingressTargets, edgesFrom, type ResolvedEdge } from '../topology.js';
import { identityIs, labelsExpr, namespaceIs, notQuarantined, serviceAccountIs } from './selectors.js';

/**
 * Calico (projectcalico.org/v3) in a `palisade` Tier: quarantine and guardrails first, per-agent
 * and per-destination allows, then the tier's default Deny. Open-source Calico has no DNS-name
 * egress and HTTP matching only through Istio, so both are synth errors here.
 */

export const TIER = 'palisade';
const E = np.NetworkPolicySpecEgressAction;
const I = np.NetworkPolicySpecIngressAction;

/** One rule per protocol: a Calico rule carries a single protocol. */
function byProtocol(specs: readonly PortSpec[]): Array<{ protocol: string; ports: Array<number | string> }> {
  const groups = new Map<string, Array<number | string>>();
  for (const p of specs) groups.set(p.protocol, [...(groups.get(p.protocol) ?? []), p.endPort === undefined ? p.port : `${p.port}:${p.endPort}`]);
  return [...groups.entries()].sort().map(([protocol, ports]) => ({ protocol, ports }));
}

const dnsPorts: PortSpec[] = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

function dnsEgress(ctx: RenderContext): gnp.GlobalNetworkPolicySpecEgress[] {
  const { dns } = ctx.cluster;
  return byProtocol(dnsPorts).map((g) => ({
    action: gnp.GlobalNetworkPolicySpecEgressAction.ALLOW, protocol: gnp.GlobalNetworkPolicySpecEgressProtocol.fromString(g.protocol),
    destination: { namespaceSelector: namespaceIs(dns.namespace), selector: labelsExpr(dns.podLabels), ports: g.ports.map((p) => gnp.GlobalNetworkPolicySpecEgressDestinationPorts.fromNumber(Number(p))) },
  }));
}

/** Order of tier `palisade`: after kube-admin (1,000), before default (1,000,000). */
export const PALISADE_TIER_ORDER = 2_000;

function tierAndGlobals(ctx: RenderContext): void {
  const { model } = ctx;
  const q = model.quarantine;
  // After Calico's kube-admin tier (order 1,000, where ClusterNetworkPolicy `tier: Admin` runs) so
  // the zone and metadata guardrails decide first, and before the default tier (1,000,000) of
  // namespace owners' policies. palisade's own decisions are final (defaultAction Deny).
  new Tier(ctx.chart, objectId('tier', TIER), { metadata: meta(ctx, TIER, undefined, { sources: [q.source.path], rule: 'tier' }), spec: { order: PALISADE_TIER_ORDER, defaultAction: 'Deny' } });
  const T = gnp.GlobalNetworkPolicySpecTypes;
  new gnp.GlobalNetworkPolicy(ctx.chart, objectId('gnp', `${TIER}.quarantine`), {
    metadata: meta(ctx, `${TIER}.quarantine`, undefined, { sources: [q.source.path], rule: 'quarantine' }),
    spec: {
      tier: TIER, order: 10, selector: `${q.label} == 'true'`, types: [T.INGRESS, T.EGRESS],
      ingress: [{ action: gnp.GlobalNetworkPolicySpecIngressAction.DENY }],
      egress: [...(q.keepDns ? dnsEgress(ctx) : []), { action: gnp.GlobalNetworkPolicySpecEgressAction.DENY }],
    },
  });
  // A waiver lifts the deny for the waiving agent's own pods only (by identity), not its namespace.
  const waived = model.agents.filter((a) => a.allowCloudMetadata).map((a) => `!(${identityIs(a.namespace, a.serviceAccount)})`);
  new gnp.GlobalNetworkPolicy(ctx.chart, objectId('gnp', `${TIER}.deny-cloud-metadata`), {
    metadata: meta(ctx, `${TIER}.deny-cloud-metadata`, undefined, { sources: model.agents.map((a) => a.source.path), rule: 'guardrail:no-cloud-metadata' }),
    spec: {
      tier: TIER, order: 20, selector: waived.length > 0 ? waived.join(' && ') : 'all()', types: [T.EGRESS],
      // Every governed namespace (tools and data stores are SSRF pivots too).
      namespaceSelector: `has(${LABELS.zone})`,
      // No catch-all rule: unmatched traffic goes on to the next policy of this tier. (A trailing
      // Pass would skip the tier's allow-lists and default deny: found by `palisade analyze`.)
      egress: [{ action: gnp.GlobalNetworkPolicySpecEgressAction.DENY, destination: { nets: [...CLOUD_METADATA_CIDRS] } }],
    },
  });
  new gnp.GlobalNetworkPolicy(ctx.chart, objectId('gnp', `${TIER}.default-deny`), {
    metadata: meta(ctx, `${TIER}.default-deny`, undefined, { sources: [...model.agents, ...model.endpoints].map((w) => w.source.path), rule: 'guardrail:default-deny' }),
    // Selected by the tier, no rule matches the rest: the tier's defaultAction (Deny) applies.
    spec: { tier: TIER, order: 1000, selector: 'all()', namespaceSelector: `has(${LABELS.zone})`, types: [T.INGRESS, T.EGRESS], egress: dnsEgress(ctx) },
  });
}

/** `serviceAccountSelector` of a policy for a workload's pods: its ServiceAccount when it is an agent. */
function identitySelector(ctx: RenderContext, w: WorkloadSelector): { serviceAccountSelector?: string } {
  const agent = agentOf(ctx.model, w);
  return agent ? { serviceAccountSelector: serviceAccountIs(agent.serviceAccount) } : {};
}

/** A rule peer's `serviceAccounts` match: the agent's ServiceAccount when the peer is an agent. */
function identityPeer(ctx: RenderContext, w: WorkloadSelector): { serviceAccounts?: { names: string[] } } {
  const agent = agentOf(ctx.model, w);
  return agent ? { serviceAccounts: { names: [agent.serviceAccount] } } : {};
}

function egressRules(ctx: RenderContext, r: ResolvedEdge): np.NetworkPolicySpecEgress[] {
  if (r.edge.http.length > 0) {
    unsupported(ctx, r.edge.source.path, 'HTTP method/path rules are not enforced by open-source Calico on egress (HTTP match needs Istio and applies to ingress)', 'use the cilium network backend for L7 rules, or drop the http option');
    return [];
  }
  const dest = ((): np.NetworkPolicySpecEgressDestination | undefined => {
    switch (r.target.kind) {
      case 'agent':
      case 'endpoint': return { namespaceSelector: namespaceIs(r.target.workload.namespace), selector: notQuarantined(labelsExpr(r.target.workload.podLabels), ctx.model.quarantine.label), ...identityPeer(ctx, r.target.workload) };
      case 'external': {
        const x = r.target.external;
        if (x.cidrFallback) {
          const ranges = fallbackRanges(ctx, r.from, x, r.edge.source.path);
          const except = [...new Set(ranges.flatMap((f) => f.except))].sort();
          return { nets: ranges.map((f) => f.cidr), ...(except.length > 0 ? { notNets: except } : {}) };
        }
        unsupported(ctx, r.edge.source.path, `egress to DNS name "${x.host}" needs Calico Enterprise (DNS policy); open-source Calico has no domain egress${ctx.cluster.calicoEnterprise ? ', and palisade does not emit Calico Enterprise domain rules yet' : ''}`, `use the cilium network backend, or opt in to a CIDR fallback with cidrFallback on ExternalEndpoint "${x.name}"`);
        return undefined;
      }
    }
  })();
  if (!dest) return [];
  return byProtocol(r.ports).map((g) => ({
    action: E.ALLOW, protocol: np.NetworkPolicySpecEgressProtocol.fromString(g.protocol),
    destination: { ...dest, ports: g.ports.map((p) => (typeof p === 'number' ? np.NetworkPolicySpecEgressDestinationPorts.fromNumber(p) : np.NetworkPolicySpecEgressDestinationPorts.fromString(p))) },
  }));
}

function agentPolicies(ctx: RenderContext): void {
  for (const agent of ctx.model.agents) {
    const mine = edgesFrom(ctx.model, agent.name);
    const rules = mine.flatMap((r) => egressRules(ctx, r));
    if (agent.allowKubeApi) {
      if (ctx.cluster.kubeApiServerCidrs.length === 0) unsupported(ctx, agent.source.path, 'allowKubeApi needs the kube-apiserver address on the calico network backend', 'set kubeApiServerCidrs in the cluster.yaml');
      else rules.push({ action: E.ALLOW, protocol: np.NetworkPolicySpecEgressProtocol.fromString('TCP'), destination: { nets: [...ctx.cluster.kubeApiServerCidrs], ports: [np.NetworkPolicySpecEgressDestinationPorts.fromNumber(443), np.NetworkPolicySpecEgressDestinationPorts.fromNumber(6443)] } });
    }
    if (agent.allowCloudMetadata) rules.push({ action: E.ALLOW, destination: { nets: [...CLOUD_METADATA_CIDRS] } });
    if (rules.length === 0) continue;
    const name = `${TIER}.${agent.name}-egress`;
    new np.NetworkPolicy(ctx.chart, objectId('cnp', name, agent.namespace), {
      metadata: meta(ctx, name, agent.namespace, { sources: [agent.source.path, ...mine.map((r) => r.edge.source.path)], rule: `allow:egress:${agent.name}` }),
      spec: { tier: TIER, order: 100, selector: notQuarantined(labelsExpr(agent.podLabels), ctx.model.quarantine.label), ...identitySelector(ctx, agent), types: [np.NetworkPolicySpecTypes.EGRESS], egress: rules },
    });
  }
}

function ingressPolicies(ctx: RenderContext): void {
  for (const { workload, edges } of ingressTargets(ctx.model)) {
    const rules: np.NetworkPolicySpecIngress[] = edges.flatMap((r) => byProtocol(r.ports).map((g) => ({
      action: I.ALLOW, protocol: np.NetworkPolicySpecIngressProtocol.fromString(g.protocol),
      source: { namespaceSelector: namespaceIs(r.from.namespace), selector: notQuarantined(labelsExpr(r.from.podLabels), ctx.model.quarantine.label), ...identityPeer(ctx, r.from) },
      destination: { ports: g.ports.map((p) => (typeof p === 'number' ? np.NetworkPolicySpecIngressDestinationPorts.fromNumber(p) : np.NetworkPolicySpecIngressDestinationPorts.fromString(p))) },
    })));
    const name = `${TIER}.${workload.name}-ingress`;
    new np.NetworkPolicy(ctx.chart, objectId('cnp', name, workload.namespace), {
      metadata: meta(ctx, name, workload.namespace, { sources: [workload.source.path, ...edges.map((r) => r.edge.source.path)], rule: `allow:ingress:${workload.name}` }),
      spec: { tier: TIER, order: 100, selector: notQuarantined(labelsExpr(workload.podLabels), ctx.model.quarantine.label), ...identitySelector(ctx, workload), types: [np.NetworkPolicySpecTypes.INGRESS], ingress: rules },
    });
  }
}

export function renderCalico(ctx: RenderContext): void {
  tierAndGlobals(ctx);
  agentPolicies(ctx);
  ingressPolicies(ctx);
}
