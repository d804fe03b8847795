import * as cnp from '../../imports/cilium-cnp-cilium.io.js';
import type { DnsSpec } from '../../cluster/cluster-spec.js';
import type { AgentModel } from '../../model/model.js';
import { sortedLabels } from '../topology.js';
import { NS_LABEL } from './labels.js';

/**
 * DNS through Cilium's proxy: how toFQDNs learns the addresses behind a name, and a filter. A
 * name no `rules.dns` entry allows is refused, so an agent resolves only cluster-internal names and
 * the external names it may reach. Cilium's `*` matches one label.
 */

/** Services (`svc.ns.svc.cluster.local`) and pods behind headless services (`pod.svc.ns.svc.cluster.local`). */
export const internalDnsRules = (): cnp.CiliumNetworkPolicySpecEgressToPortsRulesDns[] =>
  [{ matchPattern: '*.*.svc.cluster.local' }, { matchPattern: '*.*.*.svc.cluster.local' }];

export const clusterDnsPeer = (dns: DnsSpec): { matchLabels: Record<string, string> } =>
  ({ matchLabels: sortedLabels({ ...dns.podLabels, [NS_LABEL]: dns.namespace }) });

/** A host as the resolver sends it: as is, and with each search domain of the pod's namespace appended. */
function lookups(host: string, namespace: string): string[] {
  return [host, ...[`${namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'].map((d) => `${host}.${d}`)];
}

const rule = (name: string): cnp.CiliumNetworkPolicySpecEgressToPortsRulesDns => (name.includes('*') ? { matchPattern: name } : { matchName: name });

/** The DNS rule for the external names an agent may reach, or undefined when it reaches none. */
export function agentDnsRule(dns: DnsSpec, agent: AgentModel, hosts: readonly string[]): cnp.CiliumNetworkPolicySpecEgress | undefined {
  if (hosts.length === 0) return undefined;
  const names = [...new Set(hosts.flatMap((h) => lookups(h, agent.namespace)))].sort();
  return {
    toEndpoints: [clusterDnsPeer(dns)],
    toPorts: [{ ports: [{ port: '53', protocol: cnp.CiliumNetworkPolicySpecEgressToPortsPortsProtocol.ANY }], rules: { dns: names.map(rule) } }],
  };
}
