import { assertNever } from '../../lib/core/assert.js';
import type { ClusterSpec } from '../../lib/cluster/cluster-spec.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { CALICO_KUBE_TIERS } from '../../lib/analysis/ir.js';
import type { LabelSelector } from '../../lib/analysis/label-selector.js';
import { normalizeSelector } from '../../lib/analysis/policies/cilium.js';
import { parseCidr, parseIPv4 } from '../../lib/analysis/ip.js';
import { labelFilter } from './label-filter.js';

/** Every assumption `palisade doctor` checks. Closed: add a check here and in `checksFor`. */
export type CheckId = 'crds' | 'cilium-version' | 'cilium-labels' | 'cilium-enforcement' | 'calico-tiers' | 'kube-api-cidrs' | 'kyverno' | 'tetragon';

export interface Finding {
  readonly check: CheckId;
  readonly ok: boolean;
  readonly message: string;
  readonly hint?: string;
}

/** What doctor read from the live cluster (gathered by `gatherFacts`; pure data from here on). */
export interface ClusterFacts {
  /** `apiVersion/kind` of each emitted kind the API server does not serve. */
  readonly unservedKinds: readonly string[];
  /**
   * cilium-config (kube-system): its `labels`, `label-prefix-file`, `enable-k8s-cluster-network-policy`,
   * `enable-policy` and `policy-audit-mode` keys; undefined when absent.
   */
  readonly ciliumConfig?: {
    readonly labels?: string; readonly labelPrefixFile?: string; readonly clusterNetworkPolicy?: string;
    readonly enablePolicy?: string; readonly policyAuditMode?: string;
  };
  /** Image of the kube-system/cilium DaemonSet's agent container; undefined when absent. */
  readonly ciliumImage?: string;
  /** Live Calico tier orders by name. */
  readonly calicoTiers: ReadonlyMap<string, number>;
  /** Service default/kubernetes: its ClusterIPs and the API server addresses behind it (EndpointSlices); undefined when absent. */
  readonly kubernetesService?: { readonly clusterIPs: readonly string[]; readonly endpoints: readonly string[] };
  /** Ready Kyverno admission controllers (Deployments labelled app.kubernetes.io/part-of=kyverno). */
  readonly kyvernoReady: number;
  /** Ready Tetragon agents (DaemonSets labelled app.kubernetes.io/name=tetragon). */
  readonly tetragonReady: number;
}

/** Oldest Cilium that enforces palisade's output: `enableDefaultDeny` appears in v1.16 (pkg/policy/api/rule.go). */
export const MIN_CILIUM: readonly [number, number] = [1, 16];
/** First Cilium whose DNS patterns read a leading `**.` as one or more labels (1.19 upgrade notes); older ones read it as one. */
export const MULTI_LABEL_CILIUM: readonly [number, number] = [1, 19];
/** First Cilium that enforces Kubernetes ClusterNetworkPolicy, behind enable-k8s-cluster-network-policy (cilium/cilium#47227). */
export const CNP_CILIUM: readonly [number, number] = [1, 20];

const SELECTOR_FIELDS = new Set(['endpointSelector', 'fromEndpoints', 'toEndpoints']);

/** Label keys (without `k8s:`/`any:`) that the Cilium policies select on, pod and namespace labels alike. */
export function ciliumSelectorKeys(objects: readonly KubeObject[]): string[] {
  const keys = new Set<string>();
  const selectorKeys = (sel: unknown): void => {
    const s = normalizeSelector(sel as LabelSelector);
    for (const k of [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)]) {
      if (!k.startsWith('reserved:')) keys.add(k);
    }
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, child] of Object.entries(v)) {
      if (SELECTOR_FIELDS.has(k)) (Array.isArray(child) ? child : [child]).forEach(selectorKeys);
      else walk(child);
    }
  };
  for (const o of objects) if (o.apiVersion.startsWith('cilium.io/') && o.kind.includes('NetworkPolicy')) walk(o['spec']);
  return [...keys].sort();
}

function crds(facts: ClusterFacts): Finding[] {
  if (facts.unservedKinds.length === 0) return [{ check: 'crds', ok: true, message: 'every kind palisade emits is served by the API server' }];
  return facts.unservedKinds.map((k) => ({ check: 'crds', ok: false, message: `${k} is not served (its CRD is not installed)`, hint: 'install the backend (or its CRDs) before applying palisade\'s output' }));
}

function ciliumLabels(facts: ClusterFacts, objects: readonly KubeObject[]): Finding {
  const cfg = facts.ciliumConfig;
  if (cfg === undefined) return { check: 'cilium-labels', ok: false, message: 'ConfigMap kube-system/cilium-config not found: cannot tell which labels are identity-relevant', hint: 'is Cilium installed in kube-system?' };
  if (cfg.labelPrefixFile) return { check: 'cilium-labels', ok: false, message: `cilium-config sets label-prefix-file (${cfg.labelPrefixFile}): doctor cannot read it to check the identity labels`, hint: `use the labels key, or check by hand that the file keeps ${ciliumSelectorKeys(objects).join(', ')}` };
  const filter = labelFilter(cfg.labels ?? '');
  const dropped = ciliumSelectorKeys(objects).filter((k) => !filter.keeps(k));
  if (dropped.length === 0) return { check: 'cilium-labels', ok: true, message: `cilium-config labels keep every label palisade selects on${cfg.labels ? ` (labels: "${cfg.labels}")` : ''}` };
  return {
    check: 'cilium-labels', ok: false,
    message: `cilium-config labels "${cfg.labels ?? ''}" make ${dropped.join(', ')} information-only: policies selecting on them never match (quarantine and agent selectors silently stop working)`,
    hint: `add ${dropped.map((k) => `k8s:${k.replace(/\./g, '\\.')}`).join(' ')} to the labels key of cilium-config and restart the agents`,
  };
}

/**
 * Cilium enforces the policies at all: `enable-policy: never` disables enforcement "even if rules do
 * select specific endpoints", and `policy-audit-mode` only logs the drops (docs: Policy Enforcement
 * Modes). `default` and `always` both enforce what palisade emits (every namespace has its default deny).
 */
function ciliumEnforcement(facts: ClusterFacts): Finding {
  const mode = facts.ciliumConfig?.enablePolicy ?? 'default';
  if (facts.ciliumConfig === undefined) return { check: 'cilium-enforcement', ok: false, message: 'ConfigMap kube-system/cilium-config not found: cannot tell whether Cilium enforces policies' };
  if (mode === 'never') return { check: 'cilium-enforcement', ok: false, message: 'cilium-config enable-policy is "never": Cilium enforces no network policy at all, so every palisade policy is stored and ignored', hint: 'set enable-policy to "default" (Helm policyEnforcementMode) and restart the agents' };
  if (mode !== 'default' && mode !== 'always') return { check: 'cilium-enforcement', ok: false, message: `cilium-config enable-policy is "${mode}", which Cilium does not define (default, always, never)` };
  if (facts.ciliumConfig.policyAuditMode === 'true') return { check: 'cilium-enforcement', ok: false, message: 'cilium-config policy-audit-mode is "true": Cilium logs policy verdicts and drops nothing, so palisade\'s denies (quarantine included) do not hold', hint: 'set policy-audit-mode to "false" (Helm policyAuditMode) once the audit is over' };
  return { check: 'cilium-enforcement', ok: true, message: `Cilium enforces policies (enable-policy: ${mode}, no audit mode)` };
}

function ciliumVersion(facts: ClusterFacts, objects: readonly KubeObject[]): Finding {
  const image = facts.ciliumImage;
  if (image === undefined) return { check: 'cilium-version', ok: false, message: 'DaemonSet kube-system/cilium not found: the Cilium version is unknown' };
  const m = /:v?(\d+)\.(\d+)\.(\d+)/.exec(image);
  if (!m) return { check: 'cilium-version', ok: false, message: `cannot read a version from the Cilium image ${image}` };
  const version = [Number(m[1]), Number(m[2])] as const;
  const text = `Cilium ${m[1]}.${m[2]}.${m[3]}`;
  if (!atLeast(version, MIN_CILIUM)) return { check: 'cilium-version', ok: false, message: `${text} is older than ${MIN_CILIUM.join('.')}: enableDefaultDeny is unknown to it, so palisade's policies would not enforce as written`, hint: `upgrade Cilium to ${MIN_CILIUM.join('.')} or later` };
  const multiLabel = objects.filter((o) => o.apiVersion.startsWith('cilium.io/') && JSON.stringify(o['spec']).includes('"**.')).map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
  if (multiLabel.length > 0 && !atLeast(version, MULTI_LABEL_CILIUM)) {
    return {
      check: 'cilium-version', ok: false,
      message: `${text} reads a leading **. in DNS patterns as one label (several from 1.19): ${multiLabel.join(', ')} allow fewer names than the policies declare`,
      hint: `upgrade Cilium to ${MULTI_LABEL_CILIUM.join('.')} or later, or declare *. hosts (one label) only`,
    };
  }
  const cnps = objects.filter((o) => o.kind === 'ClusterNetworkPolicy').map((o) => o.metadata.name);
  if (cnps.length > 0 && !(atLeast(version, CNP_CILIUM) && facts.ciliumConfig?.clusterNetworkPolicy === 'true')) {
    return {
      check: 'cilium-version', ok: false,
      message: `${text} does not enforce ClusterNetworkPolicy (from 1.20, with enable-k8s-cluster-network-policy: "true" in cilium-config): ${cnps.join(', ')} would be stored and never applied`,
      hint: 'set clusterNetworkPolicy: false in cluster.yaml (the Cilium guardrails cover the same ground), or upgrade to Cilium 1.20 and enable it',
    };
  }
  return { check: 'cilium-version', ok: true, message: `${text} enforces every kind and field palisade emits` };
}

const atLeast = (v: readonly [number, number], min: readonly [number, number]): boolean => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

function calicoTiers(facts: ClusterFacts, desiredOrder: number | undefined): Finding {
  const admin = facts.calicoTiers.get(CALICO_KUBE_TIERS.admin.name) ?? CALICO_KUBE_TIERS.admin.order;
  const palisade = facts.calicoTiers.get('palisade') ?? desiredOrder;
  if (palisade === undefined) return { check: 'calico-tiers', ok: false, message: 'tier palisade is neither live nor in the synthesized output' };
  return palisade > admin ? { check: 'calico-tiers', ok: true, message: `tier palisade (order ${palisade}) runs after kube-admin (order ${admin}): ClusterNetworkPolicy guardrails decide first` }
    : { check: 'calico-tiers', ok: false, message: `tier palisade (order ${palisade}) runs before kube-admin (order ${admin}): its final decisions leave the ClusterNetworkPolicy guardrails nothing to decide`, hint: 'reconcile the current palisade output (tier palisade order 2000), or lower the kube-admin order' };
}

const covers = (cidrs: readonly string[], ip: string): boolean => {
  const addr = parseIPv4(ip);
  return addr !== undefined && cidrs.some((c) => { const p = parseCidr(c); return p.kind === 'v4' && p.range[0] <= addr && addr <= p.range[1]; });
};

/**
 * `kubeApiServerCidrs` names the API server's own addresses (E11 of the dataplane review): Calico
 * and most NetworkPolicy implementations match after kube-proxy has translated the Service address
 * `default/kubernetes` to an endpoint, so a rule naming the ClusterIP never matches API server
 * traffic (allowKubeApi agents are cut off, and the fallback's exception misses the real address).
 */
function kubeApiCidrs(spec: ClusterSpec, facts: ClusterFacts): Finding {
  const svc = facts.kubernetesService;
  const cidrs = spec.kubeApiServerCidrs;
  if (svc === undefined) return { check: 'kube-api-cidrs', ok: false, message: 'Service default/kubernetes not found: cannot check kubeApiServerCidrs' };
  const hint = `set kubeApiServerCidrs in cluster.yaml to the API server's endpoint addresses: ${svc.endpoints.map((a) => `${a}/32`).join(', ') || '(none published)'}`;
  const clusterIPs = svc.clusterIPs.filter((ip) => covers(cidrs, ip) && !svc.endpoints.includes(ip));
  if (clusterIPs.length > 0) return { check: 'kube-api-cidrs', ok: false, message: `kubeApiServerCidrs (${cidrs.join(', ')}) names the Service address ${clusterIPs.join(', ')} of default/kubernetes: policies match after kube-proxy's translation to the endpoints, so this never matches API server traffic`, hint };
  const missed = svc.endpoints.filter((ip) => !covers(cidrs, ip));
  if (missed.length > 0) return { check: 'kube-api-cidrs', ok: false, message: `kubeApiServerCidrs (${cidrs.join(', ')}) misses the API server address${missed.length > 1 ? 'es' : ''} ${missed.join(', ')} (EndpointSlices of default/kubernetes)`, hint };
  return { check: 'kube-api-cidrs', ok: true, message: `kubeApiServerCidrs covers every API server address (${svc.endpoints.join(', ')})` };
}

const running = (check: 'kyverno' | 'tetragon', name: string, ready: number): Finding =>
  ready > 0 ? { check, ok: true, message: `${name} is running (${ready} ready)` } : { check, ok: false, message: `the cluster declares ${name} but none is ready`, hint: `install ${name}, or change cluster.yaml` };

/** The checks that apply to a cluster's backends, each judged on the facts (pure). */
export function judge(spec: ClusterSpec, objects: readonly KubeObject[], facts: ClusterFacts): Finding[] {
  const out = crds(facts);
  for (const id of checksFor(spec)) out.push(judgeOne(id, spec, objects, facts));
  return out;
}

function judgeOne(id: Exclude<CheckId, 'crds'>, spec: ClusterSpec, objects: readonly KubeObject[], facts: ClusterFacts): Finding {
  switch (id) {
    case 'cilium-version': return ciliumVersion(facts, objects);
    case 'cilium-labels': return ciliumLabels(facts, objects);
    case 'cilium-enforcement': return ciliumEnforcement(facts);
    case 'calico-tiers': return calicoTiers(facts, tierOrder(objects));
    case 'kube-api-cidrs': return kubeApiCidrs(spec, facts);
    case 'kyverno': return running('kyverno', 'Kyverno', facts.kyvernoReady);
    case 'tetragon': return running('tetragon', 'Tetragon', facts.tetragonReady);
    default: return assertNever(id, 'doctor check');
  }
}

function tierOrder(objects: readonly KubeObject[]): number | undefined {
  const tier = objects.find((o) => o.kind === 'Tier' && o.metadata.name === 'palisade');
  const order = (tier?.['spec'] as { order?: number } | undefined)?.order;
  return order;
}

/** Which checks beyond `crds` apply to a cluster's declared backends. */
export function checksFor(spec: ClusterSpec): Array<Exclude<CheckId, 'crds'>> {
  const out: Array<Exclude<CheckId, 'crds'>> = [];
  if (spec.network === 'cilium') out.push('cilium-version', 'cilium-labels', 'cilium-enforcement');
  if (spec.network === 'calico') out.push('calico-tiers');
  // Cilium names the API server by entity; the other backends by the addresses cluster.yaml gives.
  if (spec.network !== 'cilium' && spec.kubeApiServerCidrs.length > 0) out.push('kube-api-cidrs');
  if (spec.admission === 'kyverno') out.push('kyverno');
  if (spec.runtime === 'tetragon') out.push('tetragon');
  return out;
}
