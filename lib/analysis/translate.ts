import { DEFAULT_POD_CIDRS } from '../core/networks.js';
import { union, type IntervalList } from './intervals.js';
import { ipBlockSet } from './ip.js';
import type { SourcedObject } from './inputs.js';
import { CALICO_KUBE_TIERS, type Policy, type PolicySet, type TierInfo } from './ir.js';
import { translateAdminPolicy } from './policies/admin.js';
import { translateCalicoPolicy, tierOf } from './policies/calico.js';
import { translateCiliumPolicy } from './policies/cilium.js';
import type { TranslateContext } from './policies/context.js';
import { translateNetworkPolicy } from './policies/networkpolicy.js';
import { str } from './policies/common.js';
import { CLUSTER_ENTITIES, type ClusterEntity, type Workload } from './topology.js';
import { dnsCovers } from './policies/admin.js';

type Translator = (obj: Record<string, unknown>, source: string, ctx: TranslateContext) => Policy;

/** Policy kinds by `apiVersion group/kind`; anything else is topology or ignored. */
const TRANSLATORS: Readonly<Record<string, Translator>> = {
  'networking.k8s.io/NetworkPolicy': translateNetworkPolicy,
  'policy.networking.k8s.io/AdminNetworkPolicy': translateAdminPolicy,
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy': translateAdminPolicy,
  'policy.networking.k8s.io/ClusterNetworkPolicy': translateAdminPolicy,
  'cilium.io/CiliumNetworkPolicy': translateCiliumPolicy,
  'cilium.io/CiliumClusterwideNetworkPolicy': translateCiliumPolicy,
  'projectcalico.org/NetworkPolicy': translateCalicoPolicy,
  'projectcalico.org/GlobalNetworkPolicy': translateCalicoPolicy,
};

function keyOf(obj: Record<string, unknown>): string {
  const group = str(obj['apiVersion']).split('/').slice(0, -1).join('/');
  return `${group}/${String(obj['kind'])}`;
}

export function isPolicyObject(obj: Record<string, unknown>): boolean {
  return TRANSLATORS[keyOf(obj)] !== undefined;
}

export interface AnalysisOptions {
  /** Pod address ranges (IPv4 CIDRs); [] for pods without addresses a CIDR rule can match. @default DEFAULT_POD_CIDRS */
  readonly podCidrs?: readonly string[];
}

function podAddressesOf(cidrs: readonly string[]): IntervalList {
  return cidrs.reduce<IntervalList>((acc, c) => union(acc, ipBlockSet(c) ?? []), []);
}

interface Found {
  readonly ipSets: { ingress: IntervalList[]; egress: IntervalList[] };
  readonly dns: Set<string>;
  readonly entities: Set<ClusterEntity>;
  readonly warnings: string[];
  readonly approximations: string[];
}

/** The context translators write what they find into, for the backends these objects show. */
function contextFor(objects: readonly SourcedObject[], options: AnalysisOptions): { ctx: TranslateContext; found: Found; calico: boolean } {
  const found: Found = { ipSets: { ingress: [], egress: [] }, dns: new Set(), entities: new Set(), warnings: [], approximations: [] };
  const dnsVisibility: Array<{ readonly selects: (w: Workload) => boolean; readonly patterns: readonly string[] }> = [];
  // Asked for every rule, subject and name during evaluation; read only once every policy is translated.
  const dnsVisible = new Map<string, boolean>();
  const hasCilium = objects.some(({ object }) => keyOf(object).startsWith('cilium.io/'));
  // On Calico, ClusterNetworkPolicy runs in Calico's kube-admin/kube-baseline tiers, ordered with the others.
  const hasCalico = objects.some(({ object }) => keyOf(object).startsWith('projectcalico.org/'));
  const ctx: TranslateContext = {
    networkPolicyLayer: hasCilium ? 'union' : 'tier:default',
    adminLayers: hasCalico ? { admin: `tier:${CALICO_KUBE_TIERS.admin.name}`, baseline: `tier:${CALICO_KUBE_TIERS.baseline.name}` } : { admin: 'admin', baseline: 'baseline' },
    podAddresses: podAddressesOf(options.podCidrs ?? DEFAULT_POD_CIDRS),
    ipBlockMatchesPods: hasCalico,
    noteIpSet: (s, dir) => found.ipSets[dir].push(s),
    noteDns: (n) => found.dns.add(n),
    noteDnsVisibility: (selects, patterns) => dnsVisibility.push({ selects, patterns }),
    dnsVisible: (subject, name) => {
      const key = `${subject.id}\u0000${name}`;
      let visible = dnsVisible.get(key);
      if (visible === undefined) dnsVisible.set(key, visible = dnsVisibility.some((v) => v.selects(subject) && v.patterns.some((p) => dnsCovers(p, name, 'label'))));
      return visible;
    },
    noteEntity: (e) => found.entities.add(e),
    warn: (m) => found.warnings.push(m),
    approximate: (m) => found.approximations.push(m),
  };
  return { ctx, found, calico: hasCalico };
}

/** Translates every policy object into the evaluation form; errors name Kind/namespace/name and field. */
export function translatePolicies(objects: readonly SourcedObject[], options: AnalysisOptions = {}): PolicySet {
  const { ctx, found, calico } = contextFor(objects, options);
  const tiers = new Map<string, TierInfo>(calico ? Object.values(CALICO_KUBE_TIERS).map((t) => [t.name, t]) : []);
  const policies: Policy[] = [];
  for (const { object, source } of objects) {
    if (keyOf(object) === 'projectcalico.org/Tier') {
      const tier = tierOf(object);
      tiers.set(tier.name, tier);
      continue;
    }
    const translate = TRANSLATORS[keyOf(object)];
    if (translate !== undefined) policies.push(translate(object, source, ctx));
  }
  const { ipSets, dns, entities, warnings, approximations } = found;
  return { policies, tiers, ipSets, dnsNames: [...dns].sort(), entities: CLUSTER_ENTITIES.filter((e) => entities.has(e)), warnings, approximations };
}
