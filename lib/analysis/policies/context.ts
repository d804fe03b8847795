import type { IntervalList } from '../intervals.js';
import type { Direction, LayerKey } from '../ir.js';
import type { ClusterEntity, Workload } from '../topology.js';

/** Collects what translators discover besides policies: IP sets, DNS names, warnings. */
export interface TranslateContext {
  /** Where Kubernetes NetworkPolicies go: the default tier, or the union layer on Cilium. */
  readonly networkPolicyLayer: LayerKey;
  /** Where ClusterNetworkPolicy/ANP Admin and Baseline go: their own layers, or Calico's kube-admin/kube-baseline tiers. */
  readonly adminLayers: { readonly admin: LayerKey; readonly baseline: LayerKey };
  /**
   * Where pod addresses can be (cluster.yaml `podCidrs`, or the private ranges): Calico `nets`
   * match pod addresses, and so does `ipBlock` where Calico enforces Kubernetes NetworkPolicy.
   * Empty: pods have no address a CIDR rule can match (Cilium's model, and netpol-analyzer's).
   */
  readonly podAddresses: IntervalList;
  /** Kubernetes NetworkPolicy `ipBlock` matches pod addresses (Calico converts it to `nets`). */
  readonly ipBlockMatchesPods: boolean;
  noteIpSet(set: IntervalList, dir: Direction): void;
  noteDns(name: string): void;
  /** A Cilium DNS rule (`rules.dns`) on an egress allow of the endpoints `selects` picks: their lookups of these names go through the DNS proxy. */
  noteDnsVisibility(selects: (w: Workload) => boolean, patterns: readonly string[]): void;
  /** Whether `subject`'s lookups of `name` go through Cilium's DNS proxy (read at evaluation, when every policy is translated). */
  dnsVisible(subject: Workload, name: string): boolean;
  /** A cluster entity a rule names (host, remote-node, kube-apiserver): it becomes a peer. */
  noteEntity(entity: ClusterEntity): void;
  warn(message: string): void;
  /** Where the reading is an approximation of what the dataplane does (pod addresses), not a gap in the model. */
  approximate(message: string): void;
}

/** Fails translation, naming the field of the policy being translated. */
export type Fail = (field: string, message: string) => never;

/** What every rule translator carries: the policy it is in, how to fail, where to note findings. */
export interface RuleContext {
  /** `Kind/namespace/name` of the policy. */
  readonly ref: string;
  readonly fail: Fail;
  readonly ctx: TranslateContext;
  readonly dir?: Direction;
  /** The rule's action where the translator knows it before its peers (IPv6 blocks of a Deny need no warning). */
  readonly action?: string;
}
