import type { Labels, LabelSelector } from '../label-selector.js';
import { selectorMatches } from '../label-selector.js';
import type { Direction, Policy, Rule } from '../ir.js';
import { INGRESS_CONTROLLER_NS_LABELS, type Peer } from '../topology.js';
import { get, inputError, ipMatches, ipSetOf, list, podAddressMatch, portEntry, refOf, unionOf, type Obj } from './common.js';
import type { RuleContext, TranslateContext } from './context.js';

/** Kubernetes networking.k8s.io/v1 NetworkPolicy: allow rules, unioned, default deny when selected. */
export function translateNetworkPolicy(obj: Obj, source: string, ctx: TranslateContext): Policy {
  const ref = refOf(obj);
  const namespace = (get(obj, 'metadata', 'namespace') as string | undefined) ?? 'default';
  const fail = (field: string, msg: string): never => {
    throw inputError(ref, field, msg, source);
  };
  const podSelector = (get(obj, 'spec', 'podSelector') ?? {}) as LabelSelector;
  const types = list(get(obj, 'spec', 'policyTypes')).map(String);
  // Without policyTypes the API server adds Egress only for a non-empty egress list (SetDefaults_NetworkPolicySpec).
  const hasEgress = types.includes('Egress') || (types.length === 0 && list(get(obj, 'spec', 'egress')).length > 0);
  const hasIngress = types.includes('Ingress') || types.length === 0;
  const rules = (dir: Direction): Rule[] =>
    list(get(obj, 'spec', dir)).map((r, i) => npRule(r, `spec.${dir}[${i}]`, dir, { ref, namespace, fail, ctx }));
  return {
    ref,
    layer: ctx.networkPolicyLayer,
    order: [1000, ref],
    selects: (w) => w.namespace === namespace && selectorMatches(podSelector, w.labels),
    ...(hasIngress ? { ingress: rules('ingress') } : {}),
    ...(hasEgress ? { egress: rules('egress') } : {}),
  };
}

interface RuleCtx extends RuleContext {
  readonly namespace: string;
}

function npRule(rule: unknown, field: string, dir: Direction, rc: RuleCtx): Rule {
  const peersField = dir === 'ingress' ? 'from' : 'to';
  const peers = list(get(rule, peersField)).map((p, i) => npPeer(p, `${field}.${peersField}[${i}]`, { ...rc, dir }));
  const ports = list(get(rule, 'ports')).map((p, i) => portEntry(p, `${field}.ports[${i}]`, rc.fail));
  return {
    action: 'Allow',
    ref: { policy: rc.ref, rule: field },
    matches: peers.length === 0 ? () => true : (peer) => peers.some((m) => m(peer)),
    conns: unionOf(ports),
  };
}

function npPeer(peer: unknown, field: string, rc: RuleCtx): (p: Peer) => boolean {
  const ipBlock = get(peer, 'ipBlock');
  if (ipBlock !== undefined) {
    const set = ipSetOf({ cidr: get(ipBlock, 'cidr'), except: get(ipBlock, 'except') }, `${field}.ipBlock`, rc);
    if (set === undefined) return () => false;
    rc.ctx.noteIpSet(set, rc.dir ?? 'ingress');
    // Calico converts ipBlock to `nets`, a plain CIDR match that pods' addresses meet too.
    const pods = rc.ctx.ipBlockMatchesPods && podAddressMatch(set, `${field}.ipBlock`, { ...rc, action: 'Allow' });
    return (p) => (p.type === 'workload' || p.type === 'ingress-controller' ? pods : ipMatches(set, p));
  }
  const podSel = get(peer, 'podSelector') as LabelSelector | undefined;
  const nsSel = get(peer, 'namespaceSelector') as LabelSelector | undefined;
  if (podSel === undefined && nsSel === undefined) rc.fail(field, 'a peer needs podSelector, namespaceSelector or ipBlock');
  const nsMatches = (ns: string, nsLabels: Labels): boolean => (nsSel === undefined ? ns === rc.namespace : selectorMatches(nsSel, nsLabels));
  return (p) => {
    if (p.type === 'workload') return nsMatches(p.namespace, p.nsLabels) && (podSel === undefined || selectorMatches(podSel, p.labels));
    if (p.type === 'ingress-controller') return nsSel !== undefined && nsMatches('', INGRESS_CONTROLLER_NS_LABELS) && (podSel === undefined || selectorMatches(podSel, {}));
    return false;
  };
}
