import type { ApplyStage } from '../../lib/core/order.js';
import type { KubeObject, ResourceId, ResourceKey } from '../../lib/core/resource-id.js';

/** What palisade wants in one cluster at one revision. */
export interface DesiredSet {
  readonly cluster: string;
  readonly revision: string;
  readonly objects: ReadonlyMap<ResourceKey, KubeObject>;
  /** Namespaces palisade governs (foreign widening policies there are drift). */
  readonly governedNamespaces: readonly string[];
  /** Names of palisade's admission policies (foreign bindings to them are drift). */
  readonly admissionPolicies: readonly string[];
  /** `Kind/name` of palisade's Kyverno policies (foreign PolicyExceptions naming them are drift). */
  readonly kyvernoPolicies: readonly string[];
  /** Namespaced kinds the cluster's backends enforce (lib/core/kinds.ts): foreign ones in governed namespaces are drift. */
  readonly enforcedKinds: ReadonlyArray<{ readonly apiVersion: string; readonly kind: string }>;
  /** Cluster-scoped policy kinds the dataplane enforces: a foreign one selecting a governed namespace is drift. */
  readonly enforcedClusterKinds: ReadonlyArray<{ readonly apiVersion: string; readonly kind: string }>;
}

/** What is in the cluster: palisade's objects, desired objects with server defaults, and foreign objects that matter. */
export interface LiveSet {
  readonly observedAt: Date;
  readonly objects: ReadonlyMap<ResourceKey, KubeObject>;
  /** Desired objects as the API server would store them (server-side dry-run), for exclusive comparison. */
  readonly predicted: ReadonlyMap<ResourceKey, KubeObject>;
  /** Objects palisade does not own that widen access inside what it governs. */
  readonly foreign: readonly KubeObject[];
  /** Recent fights watch mode recorded on desired objects (full observe only). */
  readonly fights?: ReadonlyArray<{ readonly id: ResourceId; readonly detail: string }>;
}

export type OwnershipMode = 'exclusive' | 'merge';

/** One drifted field, with who changed it when that is known (managedFields). */
export interface FieldChange {
  readonly pointer: string;
  readonly op: 'add' | 'remove' | 'replace';
  readonly before?: unknown;
  readonly after?: unknown;
  readonly manager?: string;
  readonly time?: string;
}

export type SkipReason = 'namespace-prune-disabled' | 'uid-mismatch' | 'not-in-applyset' | 'mass-prune-refused' | 'already-gone' | 'foreign-narrowing';

/** Plan vocabulary: imperative. */
export type Change =
  | { readonly op: 'create'; readonly id: ResourceId; readonly key: ResourceKey; readonly desired: KubeObject; readonly stage: ApplyStage }
  | {
    readonly op: 'update'; readonly id: ResourceId; readonly key: ResourceKey; readonly desired: KubeObject; readonly live: KubeObject;
    readonly drift: readonly FieldChange[]; readonly stage: ApplyStage;
    /** exclusive: the whole object is replaced, so nothing another manager owns survives; merge: declared fields only. */
    readonly mode: OwnershipMode;
  }
  | { readonly op: 'keep'; readonly id: ResourceId; readonly key: ResourceKey; readonly desired: KubeObject }
  | { readonly op: 'prune'; readonly id: ResourceId; readonly key: ResourceKey; readonly live: KubeObject; readonly stage: ApplyStage }
  | { readonly op: 'remove-foreign'; readonly id: ResourceId; readonly key: ResourceKey; readonly live: KubeObject; readonly reason: string; readonly stage: ApplyStage }
  | {
    readonly op: 'skip'; readonly id: ResourceId; readonly key: ResourceKey; readonly reason: SkipReason; readonly detail: string;
    /** Set when what is skipped is still drift from Git (a refused prune, a kept or refused foreign object): reported, never corrected. */
    readonly drift?: 'unpruned' | 'foreign';
  };

export interface ChangeSet {
  readonly cluster: string;
  readonly revision: string;
  readonly changes: readonly Change[];
  /** Set when the plan refuses to prune (mass prune above the cap). */
  readonly refusal?: string;
}

export interface InventoryEntry {
  readonly key: ResourceKey;
  readonly id: ResourceId;
  readonly uid: string;
  /**
   * resourceVersion of the object as palisade last wrote or verified it. The API server assigns it
   * and bumps it on every write, so a live object with this version is exactly what palisade left
   * (the proof of "untouched"; labels, annotations and manager names can be forged). Empty: unknown.
   */
  readonly resourceVersion: string;
}

export interface Inventory {
  readonly entries: readonly InventoryEntry[];
}
