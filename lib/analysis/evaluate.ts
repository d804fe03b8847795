import { ConnSet } from './connections.js';
import { DEFAULT_TIER, type TierInfo, type Direction, type HttpRule, type LayerKey, type Policy, type PolicySet, type Rule, type RuleRef } from './ir.js';
import type { Peer, Workload } from './topology.js';

/** Why a part of the connection space was allowed or denied in one direction. */
export interface Decision {
  readonly conns: ConnSet;
  readonly verdict: 'allow' | 'deny';
  /** The rule, or a layer default such as `default: no policy selects` or `Tier/palisade default Deny`. */
  readonly by: RuleRef | { readonly policy: string; readonly rule: 'default' };
  readonly http?: readonly HttpRule[];
}

export interface DirectionResult {
  readonly allowed: ConnSet;
  readonly decisions: readonly Decision[];
}

interface Layer {
  readonly key: LayerKey;
  readonly kind: 'first-match' | 'union';
  /** What happens to unmatched connections of a selected endpoint. */
  readonly endAction: 'continue' | 'Deny' | 'Pass';
  readonly label: string;
  readonly policies: readonly Policy[];
}

function compareOrder(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function buildLayers(set: PolicySet): Layer[] {
  const byKey = new Map<LayerKey, Policy[]>();
  for (const p of set.policies) byKey.set(p.layer, [...(byKey.get(p.layer) ?? []), p]);
  const sortPolicies = (key: LayerKey): Policy[] => [...(byKey.get(key) ?? [])].sort((a, b) => compareOrder(a.order, b.order));
  const tierKeys = [...byKey.keys()].filter((k) => k.startsWith('tier:'));
  const tierOf = (key: string): TierInfo => set.tiers.get(key.slice(5)) ?? { ...DEFAULT_TIER, name: key.slice(5) };
  tierKeys.sort((a, b) => tierOf(a).order - tierOf(b).order || (a < b ? -1 : 1));
  const layers: Layer[] = [
    { key: 'admin', kind: 'first-match', endAction: 'continue', label: 'admin', policies: sortPolicies('admin') },
    ...tierKeys.map((k): Layer => ({ key: k, kind: 'first-match', endAction: tierOf(k).defaultAction, label: `Tier/${tierOf(k).name}`, policies: sortPolicies(k) })),
    { key: 'union', kind: 'union', endAction: 'Deny', label: 'union', policies: sortPolicies('union') },
    { key: 'baseline', kind: 'first-match', endAction: 'continue', label: 'baseline', policies: sortPolicies('baseline') },
  ];
  return layers.filter((l) => l.policies.length > 0);
}

interface Walk {
  remaining: ConnSet;
  allowed: ConnSet;
  readonly decisions: Decision[];
}

function rulesOf(p: Policy, dir: Direction): readonly Rule[] | undefined {
  return dir === 'ingress' ? p.ingress : p.egress;
}

/** The policies of one layer that select an endpoint in one direction. */
interface Selected {
  readonly layer: Layer;
  readonly policies: readonly Policy[];
  /** What a layer default decision names, e.g. `Tier/palisade (GlobalNetworkPolicy/a, …)`. */
  readonly defaultBy: Decision['by'];
}

/** Evaluates one direction at one endpoint against every layer. Pure; caches selection per workload. */
export class Evaluator {
  private readonly layers: Layer[];
  private readonly selection = { ingress: new Map<Workload, readonly Selected[]>(), egress: new Map<Workload, readonly Selected[]>() };

  constructor(set: PolicySet) {
    this.layers = buildLayers(set);
  }

  private selected(subject: Workload, dir: Direction): readonly Selected[] {
    const cache = this.selection[dir];
    let hit = cache.get(subject);
    if (hit === undefined) {
      hit = this.layers
        .map((layer) => ({ layer, policies: layer.policies.filter((p) => rulesOf(p, dir) !== undefined && p.selects(subject)) }))
        .filter((s) => s.policies.length > 0)
        .map((s) => ({ ...s, defaultBy: { policy: `${s.layer.label} (${s.policies.map((p) => p.ref).join(', ')})`, rule: 'default' as const } }));
      cache.set(subject, hit);
    }
    return hit;
  }

  /** `subject` is the endpoint whose policies apply; `target` resolves named ports (the destination). */
  direction(subject: Workload, dir: Direction, peer: Peer, target: Workload | undefined): DirectionResult {
    const walk: Walk = { remaining: ConnSet.all(), allowed: ConnSet.none(), decisions: [] };
    for (const selected of this.selected(subject, dir)) {
      if (walk.remaining.isEmpty()) break;
      if (selected.layer.kind === 'union') unionLayer(walk, selected, { subject, dir, peer, target });
      else firstMatchLayer(walk, selected, { subject, dir, peer, target });
    }
    if (!walk.remaining.isEmpty()) {
      walk.decisions.push({ conns: walk.remaining, verdict: 'allow', by: { policy: 'no policy applies', rule: 'default' } });
      walk.allowed = walk.allowed.union(walk.remaining);
    }
    return { allowed: walk.allowed, decisions: walk.decisions };
  }
}

interface Ctx {
  readonly subject: Workload;
  readonly dir: Direction;
  readonly peer: Peer;
  readonly target: Workload | undefined;
}

/** The rules of `policies` (in order) that match the peer, with the part of `within` each selects. */
function* matching(policies: readonly Policy[], ctx: Ctx, within: () => ConnSet): Generator<{ rule: Rule; conns: ConnSet }> {
  for (const p of policies) {
    for (const rule of rulesOf(p, ctx.dir) ?? []) {
      if (!rule.matches(ctx.peer, ctx.subject)) continue;
      const conns = rule.conns(ctx.target).intersect(within());
      if (!conns.isEmpty()) yield { rule, conns };
    }
  }
}

const layerDefault = (s: Selected, conns: ConnSet): Decision => ({ conns, verdict: 'deny', by: s.defaultBy });

const decision = (rule: Rule, conns: ConnSet, verdict: 'allow' | 'deny'): Decision => ({ conns, verdict, by: rule.ref, ...(rule.http === undefined ? {} : { http: rule.http }) });

/** Admin, tiers, baseline: the first matching rule decides; Pass hands the connections on. */
function firstMatchLayer(walk: Walk, s: Selected, ctx: Ctx): void {
  let undecided = walk.remaining;
  let passed = ConnSet.none();
  for (const { rule, conns } of matching(s.policies, ctx, () => undecided)) {
    undecided = undecided.subtract(conns);
    if (rule.action === 'Pass') passed = passed.union(conns);
    else record(walk, decision(rule, conns, rule.action === 'Allow' ? 'allow' : 'deny'));
    if (undecided.isEmpty()) break;
  }
  if (s.layer.endAction === 'Deny' && !undecided.isEmpty()) {
    walk.decisions.push(layerDefault(s, undecided));
    undecided = ConnSet.none();
  }
  walk.remaining = passed.union(undecided);
}

/** Cilium: allows are unioned, a deny wins over any allow; selected endpoints default-deny the rest. */
function unionLayer(walk: Walk, s: Selected, ctx: Ctx): void {
  let denied = ConnSet.none();
  const allows: Array<{ conns: ConnSet; rule: Rule }> = [];
  for (const m of matching(s.policies, ctx, () => walk.remaining)) {
    if (m.rule.action !== 'Deny') {
      allows.push(m);
      continue;
    }
    record(walk, decision(m.rule, m.conns.subtract(denied), 'deny'));
    denied = denied.union(m.conns);
  }
  // A rule without HTTP rules wildcards L7 for what it allows (cilium#3509, #3732: an L3/L4 rule
  // next to an L7 rule for the same peer and port allows all HTTP there), so those grant first and
  // HTTP rules keep only what no such rule allows, whatever the policies are named.
  const ordered = [...allows.filter((a) => a.rule.http === undefined), ...allows.filter((a) => a.rule.http !== undefined)];
  const granted = ordered.reduce((acc, { conns, rule }) => {
    const part = conns.subtract(denied).subtract(acc);
    record(walk, decision(rule, part, 'allow'));
    return acc.union(part);
  }, ConnSet.none());
  const rest = walk.remaining.subtract(denied).subtract(granted);
  const defaultDeny = s.policies.some((p) => p.defaultDeny?.[ctx.dir] !== false);
  if (defaultDeny && !rest.isEmpty()) walk.decisions.push(layerDefault(s, rest));
  walk.remaining = defaultDeny ? ConnSet.none() : rest;
}

function record(walk: Walk, d: Decision): void {
  if (d.conns.isEmpty()) return;
  walk.decisions.push(d);
  if (d.verdict === 'allow') walk.allowed = walk.allowed.union(d.conns);
  walk.remaining = walk.remaining.subtract(d.conns);
}
