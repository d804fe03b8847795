import { enforcedClusterKinds, enforcedKinds } from '../../lib/core/kinds.js';
import { join } from 'node:path';
import { idOf, keyOf, type KubeObject, type ResourceKey } from '../../lib/core/resource-id.js';
import type { ClusterSpec } from '../../lib/cluster/cluster-spec.js';
import type { SynthResult } from '../../lib/synth/synthesize.js';
import { synthesizeAll } from '../sandbox/index.js';
import { applySetId, PART_OF_LABEL } from '../inventory/inventory.js';
import { loadReviewConfig, type ProbeVerdict, type ReviewConfig } from '../../lib/review/index.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { outputDigest } from '../../lib/synth/digest.js';
import { assertSameCluster, clusterRefs, type ClusterRef } from './clusters.js';
import { probeVerdicts } from '../gate/index.js';
import { isKyvernoPolicy } from '../observe/foreign.js';
import { withDesiredHash } from '../observe/untouched.js';
import type { DesiredSet } from '../plan/types.js';
import type { Checkout } from './source.js';

/**
 * The desired set of one synthesized cluster, each object labelled as a member of the ApplySet
 * and stamped with its desired hash, as the reconciler applies it; on a cluster Argo CD or Flux
 * syncs, the objects exactly as synthesized (what the engine applies from dist/).
 */
export function desiredFrom(result: SynthResult, revision: string): DesiredSet {
  const setId = applySetId(result.cluster.name);
  const byPalisade = (result.cluster.syncedBy?.engine ?? 'palisade') === 'palisade';
  const objects = new Map<ResourceKey, KubeObject>();
  for (const o of result.objects) {
    const labelled: KubeObject = { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, [PART_OF_LABEL]: setId } } };
    objects.set(keyOf(idOf(o)), byPalisade ? withDesiredHash(labelled) : o);
  }
  return {
    cluster: result.cluster.name, revision, objects,
    governedNamespaces: result.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort(),
    admissionPolicies: result.objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.metadata.name).sort(),
    kyvernoPolicies: result.objects.filter(isKyvernoPolicy).map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    enforcedKinds: enforcedKinds(result.cluster).map((s) => ({ apiVersion: s.apiVersion, kind: s.kind })),
    enforcedClusterKinds: enforcedClusterKinds(result.cluster).map((s) => ({ apiVersion: s.apiVersion, kind: s.kind })),
  };
}

export interface ClusterTarget {
  /** Name and context equal to what palisade read before running the revision's code (synthesizeTargets checks). */
  readonly spec: ClusterSpec;
  readonly desired: DesiredSet;
  /** The probes of the trusted palisade.yaml (`review.probes`) judged on this cluster's synthesis. */
  readonly probes: readonly ProbeVerdict[];
  /** The digest of the rendered output (lib/synth/digest.ts), what `palisade diff` shows a reviewer. */
  readonly digest?: string;
}

/** The cluster a target is for, as palisade names and reaches it. */
export const refOf = (t: ClusterTarget): ClusterRef => ({ name: t.spec.name, ...(t.spec.context ? { context: t.spec.context } : {}) });

/** The probes a target's revision violates; a revision with any is not applied unless allowed. */
export const failedProbes = (t: ClusterTarget): ProbeVerdict[] => t.probes.filter((p) => !p.ok);

/** The clusters of a checkout (`requested`, or all), read by palisade without running the revision's code. */
export function clustersOf(checkout: Checkout, requested: readonly string[]): Promise<ClusterRef[]> {
  return clusterRefs(join(checkout.dir, 'clusters'), requested);
}

/** How synthesizeTargets judges each cluster: the review configuration of its probes, and whether to digest its output. */
export interface TargetOptions {
  readonly review: (ref: ClusterRef) => ReviewConfig;
  /** Compute each output's digest (`--require-digest` compares it; a pass over every object, so only when asked). */
  readonly digest?: boolean;
}

/**
 * Synthesizes `refs` of a checkout with the checkout's own code, in the sandbox, and judges the
 * review configuration's probes on each; a result that renames its cluster or moves its context is
 * refused.
 */
export async function synthesizeTargets(checkout: Checkout, refs: readonly ClusterRef[], opts: TargetOptions): Promise<ClusterTarget[]> {
  const results = await synthesizeAll({ source: checkout.dir, revision: checkout.revision, names: refs.map((r) => r.name) });
  return refs.map((ref, i) => {
    // By name; else the result in its place, which assertSameCluster then refuses as renamed.
    const r = results.find((x) => x.cluster.name === ref.name) ?? results[i];
    if (r === undefined) throw new PalisadeError('SynthFailed', `revision ${checkout.revision.slice(0, 12)}: synthesis returned no result for cluster ${ref.name}`);
    assertSameCluster(ref, r.cluster, checkout.revision);
    return { spec: r.cluster, desired: desiredFrom(r, checkout.revision), probes: probeVerdicts(r, opts.review(ref)), ...(opts.digest ? { digest: outputDigest(r.objects) } : {}) };
  });
}

/** Synthesizes the selected clusters (all when none named) of a checkout, judged by its own palisade.yaml's probes (ungated commands). */
export async function desiredSets(checkout: Checkout, clusters: readonly string[]): Promise<ClusterTarget[]> {
  const refs = await clustersOf(checkout, clusters);
  const review = await loadReviewConfig(join(checkout.dir, 'palisade.yaml'));
  return synthesizeTargets(checkout, refs, { review: () => review });
}

/** Synthesizes every selected cluster of a checkout with the checkout's own code, in the sandbox. */
export function synthesizeCheckout(checkout: Checkout, clusters: readonly string[] = []): Promise<SynthResult[]> {
  return synthesizeAll({ source: checkout.dir, revision: checkout.revision, names: clusters });
}
