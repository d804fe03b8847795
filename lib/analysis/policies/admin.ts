import { ConnSet, parseProtocol } from '../connections.js';
import type { Action, Direction, Policy, Rule } from '../ir.js';
import { selectorMatches, type LabelSelector } from '../label-selector.js';
import type { Peer, Workload } from '../topology.js';
import { get, inputError, ipMatches, ipSetOf, list, namedPort, refOf, unionOf, type Obj } from './common.js';
import type { Fail, RuleContext, TranslateContext } from './context.js';

/**
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) and ClusterNetworkPolicy
 * (v1alpha2, tiers Admin and Baseline): ordered rules, first match wins.
 */
export function translateAdminPolicy(obj: Obj, source: string, ctx: TranslateContext): Policy {
  const ref = refOf(obj);
  const kind = String(obj['kind']);
  const fail = (field: string, msg: string): never => {
    throw inputError(ref, field, msg, source);
  };
  const layer = ctx.adminLayers[layerOf(obj, kind, fail)];
  const priority = Number(get(obj, 'spec', 'priority') ?? 0);
  const subject = subjectMatcher(get(obj, 'spec', 'subject'), fail);
  const rules = (dir: Direction): Rule[] =>
    list(get(obj, 'spec', dir)).map((r, i) => adminRule(r, dir, i, { ref, fail, ctx, kind }));
  return {
    ref,
    layer,
    order: [priority, String(get(obj, 'metadata', 'name'))],
    selects: subject,
    ingress: rules('ingress'),
    egress: rules('egress'),
  };
}

function layerOf(obj: Obj, kind: string, fail: Fail): 'admin' | 'baseline' {
  if (kind === 'AdminNetworkPolicy') return 'admin';
  if (kind === 'BaselineAdminNetworkPolicy') return 'baseline';
  const tier = get(obj, 'spec', 'tier');
  if (tier === 'Admin') return 'admin';
  if (tier === 'Baseline') return 'baseline';
  return fail('spec.tier', `must be Admin or Baseline, found ${String(tier)}`);
}

function subjectMatcher(subject: unknown, fail: Fail): (w: Workload) => boolean {
  const namespaces = get(subject, 'namespaces') as LabelSelector | undefined;
  const pods = get(subject, 'pods');
  if (namespaces !== undefined) return (w) => selectorMatches(namespaces, w.nsLabels);
  if (pods !== undefined) {
    const nsSel = (get(pods, 'namespaceSelector') ?? {}) as LabelSelector;
    const podSel = (get(pods, 'podSelector') ?? {}) as LabelSelector;
    return (w) => selectorMatches(nsSel, w.nsLabels) && selectorMatches(podSel, w.labels);
  }
  return fail('spec.subject', 'needs namespaces or pods');
}

interface RuleCtx extends RuleContext {
  readonly kind: string;
}

function actionOf(value: unknown, field: string, fail: Fail): Action {
  if (value === 'Allow' || value === 'Accept') return 'Allow';
  if (value === 'Deny' || value === 'Pass') return value;
  return fail(field, `unknown action ${String(value)}`);
}

function adminRule(rule: unknown, dir: Direction, i: number, rc: RuleCtx): Rule {
  const field = `spec.${dir}[${i}]`;
  const peersField = dir === 'ingress' ? 'from' : 'to';
  const action = get(rule, 'action');
  const peers = list(get(rule, peersField)).map((p, j) => adminPeer(p, `${field}.${peersField}[${j}]`, { ...rc, dir, ...(typeof action === 'string' ? { action } : {}) }));
  const name = get(rule, 'name');
  const portList = get(rule, 'ports') ?? get(rule, 'protocols');
  const ports = list(portList).map((p, j) => adminPort(p, `${field}.${get(rule, 'ports') === undefined ? 'protocols' : 'ports'}[${j}]`, rc.fail));
  return {
    action: actionOf(get(rule, 'action'), `${field}.action`, rc.fail),
    ref: { policy: rc.ref, rule: typeof name === 'string' ? `${field} (${name})` : field },
    matches: (peer) => peers.some((m) => m(peer)),
    conns: unionOf(ports),
  };
}

/** v1alpha1 `portNumber` / `portRange`: a fixed set, or undefined when the entry has neither. */
function v1alpha1Port(entry: unknown, field: string, fail: Fail): ConnSet | undefined {
  const number = get(entry, 'portNumber');
  if (number !== undefined) return ConnSet.port(parseProtocol(get(number, 'protocol')) ?? fail(`${field}.portNumber.protocol`, 'unsupported protocol'), Number(get(number, 'port')));
  const range = get(entry, 'portRange');
  if (range === undefined) return undefined;
  return ConnSet.port(parseProtocol(get(range, 'protocol')) ?? fail(`${field}.portRange.protocol`, 'unsupported protocol'), Number(get(range, 'start')), Number(get(range, 'end')));
}

/** v1alpha2 `tcp` / `udp` / `sctp` with an optional `destinationPort` (number or range). */
function v1alpha2Protocol(entry: unknown): ConnSet | undefined {
  for (const proto of ['tcp', 'udp', 'sctp'] as const) {
    const spec = get(entry, proto);
    if (spec === undefined) continue;
    const p = parseProtocol(proto)!;
    const dest = get(spec, 'destinationPort');
    if (dest === undefined) return ConnSet.of(p);
    if (get(dest, 'number') !== undefined) return ConnSet.port(p, Number(get(dest, 'number')));
    return ConnSet.port(p, Number(get(dest, 'range', 'start')), Number(get(dest, 'range', 'end')));
  }
  return undefined;
}

function adminPort(entry: unknown, field: string, fail: Fail): (t: Workload | undefined) => ConnSet {
  const named = get(entry, 'namedPort') ?? get(entry, 'destinationNamedPort');
  if (typeof named === 'string') return (t) => namedPort(t, named);
  const set = v1alpha1Port(entry, field, fail) ?? v1alpha2Protocol(entry);
  if (set === undefined) return fail(field, 'needs portNumber, portRange, namedPort (v1alpha1) or tcp/udp/sctp/destinationNamedPort (v1alpha2)');
  return () => set;
}

function adminPeer(peer: unknown, field: string, rc: RuleCtx): (p: Peer) => boolean {
  const namespaces = get(peer, 'namespaces') as LabelSelector | undefined;
  if (namespaces !== undefined) return (p) => p.type === 'workload' && selectorMatches(namespaces, p.nsLabels);
  const pods = get(peer, 'pods');
  if (pods !== undefined) {
    const nsSel = (get(pods, 'namespaceSelector') ?? {}) as LabelSelector;
    const podSel = (get(pods, 'podSelector') ?? {}) as LabelSelector;
    return (p) => p.type === 'workload' && selectorMatches(nsSel, p.nsLabels) && selectorMatches(podSel, p.labels);
  }
  const networks = get(peer, 'networks');
  if (networks !== undefined) {
    const sets = list(networks).flatMap((cidr, k) => {
      const set = ipSetOf({ cidr }, `${field}.networks[${k}]`, rc);
      if (set !== undefined) rc.ctx.noteIpSet(set, rc.dir ?? 'egress');
      return set === undefined ? [] : [set];
    });
    return (p) => sets.some((s) => ipMatches(s, p));
  }
  const domains = get(peer, 'domainNames');
  if (domains !== undefined) {
    const names = list(domains).map(String);
    names.forEach((n) => rc.ctx.noteDns(n));
    return (p) => p.type === 'dns' && names.some((n) => dnsCovers(n, p.name, 'labels'));
  }
  if (get(peer, 'nodes') !== undefined) return () => false;
  return rc.fail(field, 'needs namespaces, pods, networks, nodes or domainNames');
}

/**
 * How a backend reads `*` in a DNS rule. `label`: Cilium's matchPattern, where `*` stays inside
 * one label (`pkg/fqdn/matchpattern`: `[-a-zA-Z0-9_]*`) and a leading `**.` spans labels (1.19+);
 * `labels`: ClusterNetworkPolicy/ANP domainNames, where a leading `*.` is one or more whole labels
 * (the CRD's examples: `*.kubernetes.io` matches `latest.blog.kubernetes.io`); `any`: `*` matches
 * anything, dots included (Calico `domains`, not confirmed upstream: the widest reading).
 */
export type DnsWildcard = 'label' | 'labels' | 'any';

const escapeRe = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const LABEL_CHARS = '[-a-zA-Z0-9_*]';

function wildcardRegex(rule: string, wildcard: DnsWildcard): RegExp {
  if (wildcard === 'labels' && rule.startsWith('*.')) return new RegExp(`^(${LABEL_CHARS}+\\.)+${escapeRe(rule.slice(2))}$`);
  if (wildcard === 'label' && rule.startsWith('**.')) return new RegExp(`^(${LABEL_CHARS}+\\.)+${escapeRe(rule.slice(3))}$`);
  const star = wildcard === 'label' ? `${LABEL_CHARS}*` : '[-a-zA-Z0-9_.*]*';
  return new RegExp(`^${rule.split('*').map(escapeRe).join(star)}$`);
}

/** Whether a DNS rule (`name` or a pattern) covers a peer name or pattern, as `wildcard` reads `*`. */
export function dnsCovers(rule: string, name: string, wildcard: DnsWildcard): boolean {
  if (rule === name || rule === '*') return true;
  if (!rule.includes('*')) return false;
  return wildcardRegex(rule, wildcard).test(name);
}
