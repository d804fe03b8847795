import type { ClusterEntity } from './topology.js';
import type { ConnSet } from './connections.js';
import type { IntervalList } from './intervals.js';
import type { Peer, Workload } from './topology.js';

/**
 * The backend-neutral policy form every input kind is translated into. Evaluation walks
 * layers in order (admin tiers → ordered tiers → allow-union → baseline → default allow).
 */
export type Action = 'Allow' | 'Deny' | 'Pass';
export type Direction = 'ingress' | 'egress';

/** An HTTP rule attached to an allowed connection (Cilium L7). */
export interface HttpRule {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
}

export interface RuleRef {
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly policy: string;
  /** e.g. `spec.egress[2]` or an ANP rule name. */
  readonly rule: string;
}

export interface Rule {
  readonly action: Action;
  readonly ref: RuleRef;
  /** Whether the rule names `peer` (for a rule of policy selecting `subject`). */
  readonly matches: (peer: Peer, subject: Workload) => boolean;
  /** Connections the rule covers; `target` is the destination workload for named ports. */
  readonly conns: (target: Workload | undefined) => ConnSet;
  readonly http?: readonly HttpRule[];
}

export interface Policy {
  readonly ref: string;
  readonly layer: LayerKey;
  /** Tie-breaking order inside the layer: lower first. */
  readonly order: readonly (number | string)[];
  readonly selects: (w: Workload) => boolean;
  /** undefined: the policy does not apply in that direction. */
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
  /** Union layer only: false when the policy must not switch the direction to default deny. */
  readonly defaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
}

/**
 * Layers: `admin` (ANP, ClusterNetworkPolicy Admin: first match, unmatched continues),
 * `tier:<order>:<name>` (Calico tiers and the default tier with Kubernetes NetworkPolicy: first
 * match, then the tier's default action for selected endpoints), `union` (Cilium: allows unioned,
 * denies win, default deny when selected), `baseline` (BANP, ClusterNetworkPolicy Baseline).
 */
export type LayerKey = 'admin' | 'union' | 'baseline' | `tier:${string}`;

export interface TierInfo {
  readonly name: string;
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface PolicySet {
  readonly policies: readonly Policy[];
  readonly tiers: ReadonlyMap<string, TierInfo>;
  /** IPv4 sets named by any rule (to split the outside world into peers). */
  readonly ipSets: { readonly ingress: readonly IntervalList[]; readonly egress: readonly IntervalList[] };
  /** DNS names and patterns named by any rule. */
  readonly dnsNames: readonly string[];
  /** Cluster entities named by any rule (Cilium `host`, `remote-node`, `kube-apiserver`, `cluster`). */
  readonly entities: readonly ClusterEntity[];
  /** Input the analysis does not model (a policy with one is never "narrowing-only"). */
  readonly warnings: readonly string[];
  /** Where the reading approximates the dataplane (address rules meeting part of the pod ranges). */
  readonly approximations: readonly string[];
}

export const DEFAULT_TIER: TierInfo = { name: 'default', order: 1_000_000, defaultAction: 'Deny' };

/**
 * Calico's tiers for ClusterNetworkPolicy (libcalico-go conversion/clusternetworkpolicy.go maps
 * `tier: Admin` to `kube-admin`, `Baseline` to `kube-baseline`; api/pkg/apis/projectcalico/v3/tier.go:
 * orders 1,000 and 10,000,000, default action Pass).
 */
export const CALICO_KUBE_TIERS: Readonly<Record<'admin' | 'baseline', TierInfo>> = {
  admin: { name: 'kube-admin', order: 1_000, defaultAction: 'Pass' },
  baseline: { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' },
};
