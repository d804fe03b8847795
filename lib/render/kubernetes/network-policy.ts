import { k8s } from 'cdk8s-plus-33';
import type { PortSpec } from '../../model/model.js';
import { meta, objectId, unsupported, type RenderContext } from '../context.js';
import { CLOUD_METADATA_CIDRS, metadataInside, NAMESPACE_NAME_LABEL, workloadSelector } from '../selectors.js';
import { fallbackRanges } from '../fallback.js';
import { ingressTargets, managedNamespaces, edgesFrom, sortedLabels, type ResolvedEdge } from '../topology.js';

/** Kubernetes NetworkPolicy (networking.k8s.io/v1): allow-only, no DNS names, no L7. */

const ports = (specs: readonly PortSpec[]): k8s.NetworkPolicyPort[] =>
  specs.map((p) => ({ protocol: p.protocol, port: k8s.IntOrString.fromNumber(p.port), ...(p.endPort === undefined ? {} : { endPort: p.endPort }) }));

const DNS_PORTS: PortSpec[] = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

function namespaceDefaults(ctx: RenderContext): void {
  const { dns } = ctx.cluster;
  for (const ns of managedNamespaces(ctx.model)) {
    const trace = { sources: ns.sources, rule: 'guardrail:default-deny' };
    new k8s.KubeNetworkPolicy(ctx.chart, objectId('np', 'palisade-default-deny', ns.name), {
      metadata: meta(ctx, 'palisade-default-deny', ns.name, trace),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const q = ctx.model.quarantine;
    new k8s.KubeNetworkPolicy(ctx.chart, objectId('np', 'palisade-allow-dns', ns.name), {
      metadata: meta(ctx, 'palisade-allow-dns', ns.name, { sources: [...ns.sources, q.source.path], rule: 'allow:dns' }),
      spec: {
        podSelector: q.keepDns ? {} : { matchExpressions: [{ key: q.label, operator: 'NotIn', values: ['true'] }] },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } }, podSelector: { matchLabels: sortedLabels(dns.podLabels) } }], ports: ports(DNS_PORTS) }],
      },
    });
  }
}

function ipBlocks(cidrs: readonly string[]): k8s.NetworkPolicyPeer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr, ...(metadataInside(cidr).length > 0 ? { except: metadataInside(cidr) } : {}) } }));
}

function egressRule(ctx: RenderContext, r: ResolvedEdge): k8s.NetworkPolicyEgressRule | undefined {
  if (r.edge.http.length > 0) {
    unsupported(ctx, r.edge.source.path, 'HTTP method/path rules cannot be expressed by Kubernetes NetworkPolicy', 'use the cilium network backend for L7 rules, or drop the http option to allow L4 only');
    return undefined;
  }
  switch (r.target.kind) {
    case 'agent':
    case 'endpoint': {
      const w = r.target.workload;
      return { to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: w.namespace } }, podSelector: { matchLabels: sortedLabels(w.podLabels) } }], ports: ports(r.ports) };
    }
    case 'external': {
      const x = r.target.external;
      if (!x.cidrFallback) {
        unsupported(ctx, r.edge.source.path, `egress to DNS name "${x.host}" cannot be expressed by Kubernetes NetworkPolicy (ipBlock only)`, `use the cilium network backend (toFQDNs), or opt in to a CIDR fallback with cidrFallback on ExternalEndpoint "${x.name}"`);
        return undefined;
      }
      return { to: fallbackRanges(ctx, r.from, x, r.edge.source.path).map((f) => ({ ipBlock: { cidr: f.cidr, ...(f.except.length > 0 ? { except: f.except } : {}) } })), ports: ports(r.ports) };
    }
  }
}

function agentEgress(ctx: RenderContext): void {
  for (const agent of ctx.model.agents) {
    const mine = edgesFrom(ctx.model, agent.name);
    const rules = mine.map((r) => egressRule(ctx, r)).filter((x): x is k8s.NetworkPolicyEgressRule => x !== undefined);
    if (agent.allowKubeApi) {
      if (ctx.cluster.kubeApiServerCidrs.length === 0) unsupported(ctx, agent.source.path, 'allowKubeApi needs the kube-apiserver address on the kubernetes network backend', 'set kubeApiServerCidrs in the cluster.yaml');
      else rules.push({ to: ipBlocks(ctx.cluster.kubeApiServerCidrs), ports: ports([{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }]) });
    }
    if (agent.allowCloudMetadata) rules.push({ to: CLOUD_METADATA_CIDRS.map((cidr) => ({ ipBlock: { cidr } })) });
    if (rules.length === 0) continue;
    const name = `${agent.name}-egress`;
    new k8s.KubeNetworkPolicy(ctx.chart, objectId('np', name, agent.namespace), {
      metadata: meta(ctx, name, agent.namespace, { sources: [agent.source.path, ...mine.map((r) => r.edge.source.path)], rule: `allow:egress:${agent.name}` }),
      spec: { podSelector: workloadSelector(agent.podLabels, ctx.model.quarantine.label), policyTypes: ['Egress'], egress: rules },
    });
  }
}

function workloadIngress(ctx: RenderContext): void {
  for (const { workload, edges } of ingressTargets(ctx.model)) {
    const name = `${workload.name}-ingress`;
    const rules: k8s.NetworkPolicyIngressRule[] = edges.map((r) => ({
      from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: r.from.namespace } }, podSelector: workloadSelector(r.from.podLabels, ctx.model.quarantine.label) }],
      ports: ports(r.ports),
    }));
    new k8s.KubeNetworkPolicy(ctx.chart, objectId('np', name, workload.namespace), {
      metadata: meta(ctx, name, workload.namespace, { sources: [workload.source.path, ...edges.map((r) => r.edge.source.path)], rule: `allow:ingress:${workload.name}` }),
      spec: { podSelector: workloadSelector(workload.podLabels, ctx.model.quarantine.label), policyTypes: ['Ingress'], ingress: rules },
    });
  }
}

/** Default-deny per namespace, DNS, per-agent egress and per-destination ingress NetworkPolicies. */
export function renderKubernetesNetwork(ctx: RenderContext): void {
  namespaceDefaults(ctx);
  agentEgress(ctx);
  workloadIngress(ctx);
}
