import * as cnp from '../../imports/cilium-cnp-cilium.io.js';
import { isWildcardHost } from '../../core/hosts.js';
import type { HttpRule, PortSpec, WorkloadSelector } from '../../model/model.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { agentOf, ingressTargets, managedNamespaces, edgesFrom, sortedLabels, type ResolvedEdge } from '../topology.js';
import { agentDnsRule, clusterDnsPeer, internalDnsRules } from './dns.js';
import { renderCiliumGuardrails } from './guardrails.js';
import { NS_LABEL, SERVICE_ACCOUNT_LABEL } from './labels.js';

/** Cilium: CiliumNetworkPolicy per namespace, agent and destination; L7 HTTP and toFQDNs on egress. */

const Op = cnp.CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator;
const Proto = cnp.CiliumNetworkPolicySpecEgressToPortsPortsProtocol;

/** A workload's labels, plus its ServiceAccount when it is an agent: Cilium selects by identity too. */
function identityLabels(ctx: RenderContext, w: WorkloadSelector): Record<string, string> {
  const agent = agentOf(ctx.model, w);
  return sortedLabels({ ...w.podLabels, ...(agent ? { [SERVICE_ACCOUNT_LABEL]: agent.serviceAccount } : {}) });
}

function selector(ctx: RenderContext, w: WorkloadSelector): cnp.CiliumNetworkPolicySpecEndpointSelector {
  return { matchLabels: identityLabels(ctx, w), matchExpressions: [{ key: ctx.model.quarantine.label, operator: Op.NOT_IN, values: ['true'] }] };
}

/** Pods of a workload in its namespace, never quarantined ones. `notIn` is the generated enum member of the field. */
function peer<O>(ctx: RenderContext, w: WorkloadSelector, notIn: O): { matchLabels: Record<string, string>; matchExpressions: Array<{ key: string; operator: O; values: string[] }> } {
  return {
    matchLabels: sortedLabels({ ...identityLabels(ctx, w), [NS_LABEL]: w.namespace }),
    matchExpressions: [{ key: ctx.model.quarantine.label, operator: notIn, values: ['true'] }],
  };
}

/** Cilium ports; `protocols` is the generated protocol enum of the field being filled. */
function portsOf<P>(specs: readonly PortSpec[], protocols: Record<PortSpec['protocol'], P>): Array<{ port: string; protocol: P; endPort?: number }> {
  return specs.map((p) => ({ port: String(p.port), protocol: protocols[p.protocol], ...(p.endPort === undefined ? {} : { endPort: p.endPort }) }));
}
const ports = (specs: readonly PortSpec[]): cnp.CiliumNetworkPolicySpecEgressToPortsPorts[] => portsOf(specs, Proto);

const http = (rules: readonly HttpRule[]): cnp.CiliumNetworkPolicySpecEgressToPortsRulesHttp[] =>
  rules.map((r) => ({ ...(r.method ? { method: r.method } : {}), ...(r.path ? { path: r.path } : {}) }));

function toPorts(r: ResolvedEdge, sni?: string): cnp.CiliumNetworkPolicySpecEgressToPorts[] {
  if (r.ports.length === 0) return [];
  return [{
    ports: ports(r.ports),
    ...(r.edge.http.length > 0 ? { rules: { http: http(r.edge.http) } } : {}),
    ...(sni && r.edge.http.length === 0 ? { serverNames: [sni] } : {}),
  }];
}

function egressRule(ctx: RenderContext, r: ResolvedEdge): cnp.CiliumNetworkPolicySpecEgress {
  switch (r.target.kind) {
    case 'agent':
    case 'endpoint':
      return { toEndpoints: [peer(ctx, r.target.workload, cnp.CiliumNetworkPolicySpecEgressToEndpointsMatchExpressionsOperator.NOT_IN)], toPorts: toPorts(r) };
    case 'external': {
      const x = r.target.external;
      const wildcard = isWildcardHost(x.host);
      return { toFqdNs: [wildcard ? { matchPattern: x.host } : { matchName: x.host }], toPorts: toPorts(r, x.sni && !wildcard ? x.host : undefined) };
    }
  }
}

function namespaceDefaults(ctx: RenderContext): void {
  const { dns } = ctx.cluster;
  const q = ctx.model.quarantine;
  for (const ns of managedNamespaces(ctx.model)) {
    // Default deny needs a rule in each direction (Cilium enforces it only for a direction that has
    // rules). The rule selects the `none` entity, which never exists: an empty rule (`ingress: [{}]`)
    // reads as allow-all in Cilium's newer policy conversion, and an empty `fromEntities: []` turns
    // into `{}` once anything round-trips the object through Cilium's Go types (`omitempty`).
    new cnp.CiliumNetworkPolicy(ctx.chart, objectId('cnp', 'palisade-default-deny', ns.name), {
      metadata: meta(ctx, 'palisade-default-deny', ns.name, { sources: ns.sources, rule: 'guardrail:default-deny' }),
      spec: {
        endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true },
        ingress: [{ fromEntities: [cnp.CiliumNetworkPolicySpecIngressFromEntities.NONE] }],
        egress: [{ toEntities: [cnp.CiliumNetworkPolicySpecEgressToEntities.NONE] }],
      },
    });
    // Cluster-internal names only; each agent's egress policy adds the external names it may reach.
    // The DNS proxy refuses every other name, so queries cannot carry data out (quarantined pods included).
    new cnp.CiliumNetworkPolicy(ctx.chart, objectId('cnp', 'palisade-allow-dns', ns.name), {
      metadata: meta(ctx, 'palisade-allow-dns', ns.name, { sources: [...ns.sources, q.source.path], rule: 'allow:dns' }),
      spec: {
        endpointSelector: q.keepDns ? {} : { matchExpressions: [{ key: q.label, operator: Op.NOT_IN, values: ['true'] }] },
        egress: [{ toEndpoints: [clusterDnsPeer(dns)], toPorts: [{ ports: [{ port: '53', protocol: Proto.ANY }], rules: { dns: internalDnsRules() } }] }],
      },
    });
  }
}

function agentEgress(ctx: RenderContext): void {
  for (const agent of ctx.model.agents) {
    const mine = edgesFrom(ctx.model, agent.name);
    const rules = mine.map((r) => egressRule(ctx, r));
    const names = agentDnsRule(ctx.cluster.dns, agent, mine.flatMap((r) => (r.target.kind === 'external' ? [r.target.external.host] : [])));
    if (names) rules.push(names);
    if (agent.allowKubeApi) rules.push({ toEntities: [cnp.CiliumNetworkPolicySpecEgressToEntities.KUBE_HYPHEN_APISERVER], toPorts: [{ ports: [{ port: '443', protocol: Proto.TCP }, { port: '6443', protocol: Proto.TCP }] }] });
    if (rules.length === 0) continue;
    const name = `${agent.name}-egress`;
    new cnp.CiliumNetworkPolicy(ctx.chart, objectId('cnp', name, agent.namespace), {
      metadata: meta(ctx, name, agent.namespace, { sources: [agent.source.path, ...mine.map((r) => r.edge.source.path)], rule: `allow:egress:${agent.name}` }),
      spec: { endpointSelector: selector(ctx, agent), egress: rules },
    });
  }
}

function workloadIngress(ctx: RenderContext): void {
  for (const { workload, edges } of ingressTargets(ctx.model)) {
    const name = `${workload.name}-ingress`;
    const ingress: cnp.CiliumNetworkPolicySpecIngress[] = edges.map((r) => ({
      fromEndpoints: [peer(ctx, r.from, cnp.CiliumNetworkPolicySpecIngressFromEndpointsMatchExpressionsOperator.NOT_IN)],
      ...(r.ports.length > 0 ? { toPorts: [{ ports: portsOf(r.ports, cnp.CiliumNetworkPolicySpecIngressToPortsPortsProtocol) }] } : {}),
    }));
    new cnp.CiliumNetworkPolicy(ctx.chart, objectId('cnp', name, workload.namespace), {
      metadata: meta(ctx, name, workload.namespace, { sources: [workload.source.path, ...edges.map((r) => r.edge.source.path)], rule: `allow:ingress:${workload.name}` }),
      spec: { endpointSelector: selector(ctx, workload), ingress },
    });
  }
}

export function renderCilium(ctx: RenderContext): void {
  namespaceDefaults(ctx);
  agentEgress(ctx);
  workloadIngress(ctx);
  renderCiliumGuardrails(ctx);
}
