import type { KubeObject } from '../core/resource-id.js';
import type { PolicyModel } from '../model/model.js';

/** One side of a review: every cluster synthesized at one revision. */
export interface ReviewSide {
  /** e.g. `base (main @ 1a2b3c4)` or `head (working tree)`. */
  readonly label: string;
  readonly clusters: readonly SideCluster[];
}

export interface SideCluster {
  readonly name: string;
  readonly network: string;
  /** The cluster's pod address ranges, when cluster.yaml declares them. */
  readonly podCidrs?: readonly string[];
  readonly model: PolicyModel;
  readonly objects: readonly KubeObject[];
}

/** An allowed connection in review form. */
export interface Edge {
  readonly src: string;
  readonly dst: string;
  readonly conns: string;
  readonly http?: string;
}

export type EdgeChange =
  | { readonly change: 'added'; readonly after: Edge }
  | { readonly change: 'removed'; readonly before: Edge }
  | { readonly change: 'changed'; readonly before: Edge; readonly after: Edge };

export type Risk = 'high' | 'medium' | 'low' | 'none';

/** A widening of reach or a weakening of another control. */
export interface Finding {
  readonly cluster: string;
  readonly kind: FindingKind;
  readonly risk: Risk;
  readonly message: string;
  /** Construct path or object the finding is about. */
  readonly subject: string;
}

export type FindingKind =
  | 'wildcard-widening'
  | 'new-wildcard'
  | 'world-reach'
  | 'registry-widened'
  | 'signature-dropped'
  | 'sandbox-removed'
  | 'runtime-relaxed'
  | 'admission-weakened'
  | 'gpu-loosened'
  | 'identity-weakened'
  | 'quarantine-lifted'
  | 'probe-violated'
  | 'review-rules-changed'
  /** The protect policy trusts more identities, or protects fewer kinds. */
  | 'trust-widened'
  /** An enforcement object's checked values changed (listed; direction unknown). */
  | 'enforcement-changed'
  /** An enforcement object (RuntimeClass, TracingPolicy) removed. */
  | 'enforcement-removed'
  /** Code that synthesis runs (lib/) changed: what both sides render differs by more than the policies. */
  | 'synthesis-code-changed'
  /** A cluster's own configuration (clusters/<name>/) changed: its context, trust lists, backends or addresses. */
  | 'cluster-config-changed';

export interface ProbeVerdict {
  readonly cluster: string;
  readonly probe: string;
  readonly expect: 'allow' | 'deny';
  readonly before?: 'allow' | 'deny';
  readonly after: 'allow' | 'deny';
  readonly ok: boolean;
}

export interface ObjectChange {
  readonly cluster: string;
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly patch: string;
}

export interface ClusterReview {
  readonly cluster: string;
  readonly edges: readonly EdgeChange[];
  readonly findings: readonly Finding[];
  readonly probes: readonly ProbeVerdict[];
  readonly objects: readonly ObjectChange[];
  /** Digest of the head's rendered output for this cluster: what a `Palisade-Digest:` trailer records as reviewed. */
  readonly digest: string;
}

export interface Review {
  readonly base: string;
  readonly head: string;
  readonly clusters: readonly ClusterReview[];
  /** Changes of the review rules themselves (palisade.yaml `review`, palisade's review code). */
  readonly rules: readonly Finding[];
  readonly risk: Risk;
  /** Weakening findings present and the required approval missing. */
  readonly needsApproval: boolean;
  readonly approval: { readonly required: string | undefined; readonly granted: boolean };
}
