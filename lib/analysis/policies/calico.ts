import { ConnSet, PROTOCOLS, parseProtocol, type Protocol } from '../connections.js';
import { parseCalicoSelector, type Predicate } from '../calico-selector.js';
import { type Action, type Direction, type Policy, type Rule, type TierInfo } from '../ir.js';
import type { Labels } from '../label-selector.js';
import { subtract, union, type IntervalList } from '../intervals.js';
import { IPV4_ALL } from '../ip.js';
import type { Peer, Workload } from '../topology.js';
import { dnsCovers } from './admin.js';
import { get, str, inputError, ipMatches, ipSetOf, list, namedPort, podAddressMatch, refOf, type Obj } from './common.js';
import type { RuleContext, TranslateContext } from './context.js';

export function tierOf(obj: Obj): TierInfo {
  const action = get(obj, 'spec', 'defaultAction');
  return {
    name: String(get(obj, 'metadata', 'name')),
    // A tier without order is applied last, after every ordered tier (tier.go TierSpec; TierLess).
    order: typeof get(obj, 'spec', 'order') === 'number' ? Number(get(obj, 'spec', 'order')) : Number.POSITIVE_INFINITY,
    defaultAction: action === 'Pass' ? 'Pass' : 'Deny',
  };
}

function podLabels(w: { namespace: string; labels: Labels; serviceAccount: string }): Labels {
  return { ...w.labels, 'projectcalico.org/namespace': w.namespace, 'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': w.serviceAccount };
}

/** The labels `serviceAccountSelector` and `serviceAccounts.selector` see: the ServiceAccount's, with its name. */
function serviceAccountLabels(w: { serviceAccount: string }): Labels {
  return { 'projectcalico.org/name': w.serviceAccount };
}

function nsLabels(w: { namespace: string; nsLabels: Labels }): Labels {
  return { ...w.nsLabels, 'projectcalico.org/name': w.namespace };
}

interface RuleCtx extends RuleContext {
  readonly namespace: string | undefined;
}

function selector(text: unknown, field: string, rc: RuleCtx): Predicate | undefined {
  if (text === undefined || text === null) return undefined;
  try {
    return parseCalicoSelector(str(text));
  } catch (e) {
    return rc.fail(field, `invalid selector "${str(text)}": ${(e as Error).message}`);
  }
}

/** Calico projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy: ordered within their tier. */
export function translateCalicoPolicy(obj: Obj, source: string, ctx: TranslateContext): Policy {
  const ref = refOf(obj);
  const namespace = obj['kind'] === 'NetworkPolicy' ? str(get(obj, 'metadata', 'namespace'), 'default') : undefined;
  const fail = (field: string, msg: string): never => {
    throw inputError(ref, field, msg, source);
  };
  const rc: RuleCtx = { ref, namespace, fail, ctx };
  const sel = selector(get(obj, 'spec', 'selector'), 'spec.selector', rc) ?? (() => true);
  const nsSel = selector(get(obj, 'spec', 'namespaceSelector'), 'spec.namespaceSelector', rc);
  const saSel = selector(get(obj, 'spec', 'serviceAccountSelector'), 'spec.serviceAccountSelector', rc);
  const types = list(get(obj, 'spec', 'types')).map(String);
  const applies = (dir: Direction): boolean => (types.length > 0 ? types : defaultTypes(obj)).includes(dir === 'ingress' ? 'Ingress' : 'Egress');
  const rules = (dir: Direction): Rule[] => list(get(obj, 'spec', dir)).flatMap((r, i) => calicoRule(r, `spec.${dir}[${i}]`, dir, rc));
  const order = get(obj, 'spec', 'order');
  return {
    ref,
    layer: `tier:${str(get(obj, 'spec', 'tier'), 'default')}`,
    // Equal order: Felix breaks the tie by name, then namespace, then kind (felix/calc/policy_sorter.go).
    order: [typeof order === 'number' ? order : Number.MAX_SAFE_INTEGER, `${str(get(obj, 'metadata', 'name'))}/${namespace ?? ''}/${String(obj['kind'])}`],
    selects: (w: Workload) => (namespace === undefined || w.namespace === namespace) && sel(podLabels(w)) && (nsSel === undefined || nsSel(nsLabels(w)))
      && (saSel === undefined || saSel(serviceAccountLabels(w))),
    ...(applies('ingress') ? { ingress: rules('ingress') } : {}),
    ...(applies('egress') ? { egress: rules('egress') } : {}),
  };
}

/**
 * Calico's `types` default (api/pkg/defaults/networkpolicy.go): rules are counted, so `egress: []`
 * is no egress rules. No egress rules: Ingress; egress rules only: Egress; both: both.
 */
function defaultTypes(obj: Obj): string[] {
  const ingress = list(get(obj, 'spec', 'ingress')).length;
  const egress = list(get(obj, 'spec', 'egress')).length;
  if (egress === 0) return ['Ingress'];
  return ingress === 0 ? ['Egress'] : ['Ingress', 'Egress'];
}

function actionOf(v: unknown, field: string, rc: RuleCtx): Action | 'Log' {
  if (v === 'Allow' || v === 'Deny' || v === 'Pass' || v === 'Log') return v;
  return rc.fail(field, `unknown action ${String(v)}`);
}

/**
 * Rule criteria the analysis does not model (A12), each as a path under the rule: Service matches,
 * source ports, application-layer (HTTP) matches. They can only narrow a rule, so an Allow is read
 * without them (reach is shown, not hidden) and a Deny or Pass as matching nothing (the analysis
 * does not claim a decision it cannot see); either way with a warning.
 */
const UNMODELLED_CRITERIA: readonly (readonly string[])[] = [
  ['source', 'services'], ['destination', 'services'], ['source', 'ports'], ['source', 'notPorts'], ['http'],
];

/** Whether the rule can be read at all: false when an unmodelled criterion narrows a Deny or Pass (it then matches nothing). */
function modelledOrAllow(rule: unknown, field: string, action: Action, rc: RuleCtx): boolean {
  const present = UNMODELLED_CRITERIA.filter((path) => get(rule, ...path) !== undefined);
  for (const path of present) rc.ctx.warn(`${rc.ref}: ${field}.${path.join('.')} is not analysed (${action === 'Allow' ? 'read as not narrowing the Allow' : `the ${action} is read as matching nothing`})`);
  return present.length === 0 || action === 'Allow';
}

function calicoRule(rule: unknown, field: string, dir: Direction, rc: RuleCtx): Rule[] {
  const action = actionOf(get(rule, 'action'), `${field}.action`, rc);
  if (action === 'Log') return [];
  // IPv6-only rules match nothing in the IPv4 space analysed; an Allow or Pass there is a gap (a
  // warning, so a foreign policy made of them is never taken for narrowing-only), a Deny is not.
  if (get(rule, 'ipVersion') === 6) {
    if (action !== 'Deny') rc.ctx.warn(`${rc.ref}: ${field}.ipVersion: an IPv6-only ${action} is not analysed (IPv4 only)`);
    return [];
  }
  if (!modelledOrAllow(rule, field, action, rc)) return [];
  const peerField = dir === 'ingress' ? 'source' : 'destination';
  const peer = entityMatcher(get(rule, peerField), `${field}.${peerField}`, { ...rc, dir, action });
  const protocols = protocolsOf(get(rule, 'protocol'), get(rule, 'notProtocol'), field, rc);
  const ports = portsOf(get(rule, 'destination'), protocols, `${field}.destination`, rc);
  return [{ action, ref: { policy: rc.ref, rule: field }, matches: peer, conns: ports }];
}

function protocolsOf(protocol: unknown, notProtocol: unknown, field: string, rc: RuleCtx): readonly Protocol[] {
  const pick = (v: unknown, f: string): Protocol | undefined => {
    if (v === undefined) return undefined;
    return parseProtocol(v) ?? rc.fail(f, `protocol ${str(v, '?')} is not analysed (TCP, UDP, SCTP)`);
  };
  const only = pick(protocol, `${field}.protocol`);
  const not = pick(notProtocol, `${field}.notProtocol`);
  return PROTOCOLS.filter((p) => (only === undefined || p === only) && p !== not);
}

function portSet(entries: unknown[], protocols: readonly Protocol[], field: string, rc: RuleCtx): (t: Workload | undefined) => ConnSet {
  const parts = entries.map((e, i): ((t: Workload | undefined) => ConnSet) => {
    const text = String(e);
    const range = /^(\d+)(?::(\d+))?$/.exec(text);
    if (range === null) return (t) => protocols.reduce((acc, p) => acc.union(namedPort(t, text, p)), ConnSet.none());
    if (protocols.length === PROTOCOLS.length) rc.fail(`${field}[${i}]`, 'ports need a protocol (TCP, UDP or SCTP)');
    const set = protocols.reduce((acc, p) => acc.union(ConnSet.port(p, Number(range[1]), range[2] === undefined ? undefined : Number(range[2]))), ConnSet.none());
    return () => set;
  });
  return (t) => parts.reduce((acc, f) => acc.union(f(t)), ConnSet.none());
}

function portsOf(dest: unknown, protocols: readonly Protocol[], field: string, rc: RuleCtx): (t: Workload | undefined) => ConnSet {
  const base = protocols.reduce((acc, p) => acc.union(ConnSet.of(p)), ConnSet.none());
  const ports = list(get(dest, 'ports'));
  const notPorts = list(get(dest, 'notPorts'));
  const allowed = ports.length === 0 ? () => base : portSet(ports, protocols, `${field}.ports`, rc);
  const denied = notPorts.length === 0 ? () => ConnSet.none() : portSet(notPorts, protocols, `${field}.notPorts`, rc);
  return (t) => allowed(t).subtract(denied(t));
}

/** `pred(labels)`, or `absent` when there is no predicate. */
const holds = (pred: Predicate | undefined, labels: Labels, absent: boolean): boolean => (pred === undefined ? absent : pred(labels));

interface Addresses {
  readonly nets: IntervalList[] | undefined;
  readonly notNets: IntervalList[];
}

/** A rule's `nets` and `notNets`. */
function addressesOf(entity: unknown, field: string, rc: RuleCtx): Addresses {
  const ipSets = (key: string): IntervalList[] => list(get(entity, key)).flatMap((c, i) => {
    const set = ipSetOf({ cidr: c }, `${field}.${key}[${i}]`, rc);
    if (set !== undefined) rc.ctx.noteIpSet(set, rc.dir ?? 'egress');
    return set === undefined ? [] : [set];
  });
  // `nets: []` is no criterion at all (Calico counts the list), not "no address".
  return { nets: list(get(entity, 'nets')).length === 0 ? undefined : ipSets('nets'), notNets: ipSets('notNets') };
}

const externalMatch = ({ nets, notNets }: Addresses, p: Peer): boolean => (nets === undefined || nets.some((s) => ipMatches(s, p))) && !notNets.some((s) => ipMatches(s, p));

/** `nets` and `notNets` are a plain CIDR match in Felix (rules/policy.go), pods included; pods' addresses are a range. */
function podAddressHolds({ nets, notNets }: Addresses, field: string, rc: RuleCtx): boolean {
  if (nets === undefined && notNets.length === 0) return true;
  return podAddressMatch(subtract((nets ?? [IPV4_ALL]).reduce(union, []), notNets.reduce(union, [])), `${field}.${nets === undefined ? 'notNets' : 'nets'}`, rc);
}

function entityMatcher(entity: unknown, field: string, rc: RuleCtx): (p: Peer) => boolean {
  const sel = selector(get(entity, 'selector'), `${field}.selector`, rc);
  const notSel = selector(get(entity, 'notSelector'), `${field}.notSelector`, rc);
  const nsSel = selector(get(entity, 'namespaceSelector'), `${field}.namespaceSelector`, rc);
  const addresses = addressesOf(entity, field, rc);
  const domains = list(get(entity, 'domains')).map(String);
  domains.forEach((d) => rc.ctx.noteDns(d));
  const sa = serviceAccountMatcher(get(entity, 'serviceAccounts'), `${field}.serviceAccounts`, rc);
  // A notSelector alone "will accept packets from non-Calico sources" (EntityRule): it narrows pods only.
  const podCriteria = sel !== undefined || nsSel !== undefined || sa !== undefined;
  const external = (p: Peer): boolean => {
    if (podCriteria) return false;
    if (domains.length > 0) return p.type === 'dns' && domains.some((d) => dnsCovers(d, p.name, 'any'));
    return externalMatch(addresses, p);
  };
  const podAddress = domains.length === 0 && podAddressHolds(addresses, field, rc);
  // A namespaced policy's rule without namespaceSelector is confined to the policy's namespace as
  // soon as any selector field is used, notSelector included (updateprocessors/rules.go).
  const ownNamespace = nsSel === undefined && (sel !== undefined || notSel !== undefined || sa !== undefined) ? rc.namespace : undefined;
  const pod = (p: Workload): boolean => (ownNamespace === undefined || p.namespace === ownNamespace)
    && holds(sel, podLabels(p), true) && !holds(notSel, podLabels(p), false) && holds(nsSel, nsLabels(p), true) && (sa === undefined || sa(p));
  return (p) => {
    if (p.type === 'ip' || p.type === 'dns' || p.type === 'entity') return external(p);
    if (!podAddress) return false;
    return p.type === 'ingress-controller' ? !podCriteria : pod(p);
  };
}

/** A rule's `serviceAccounts: {names, selector}`: pods running as one of the names and/or matching the selector. */
function serviceAccountMatcher(raw: unknown, field: string, rc: RuleCtx): ((w: Workload) => boolean) | undefined {
  if (raw === undefined || raw === null) return undefined;
  const names = list(get(raw, 'names')).map(String);
  const sel = selector(get(raw, 'selector'), `${field}.selector`, rc);
  return (w) => (names.length === 0 || names.includes(w.serviceAccount)) && holds(sel, serviceAccountLabels(w), true);
}
