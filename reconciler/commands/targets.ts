import { clientFor, type ClusterClient } from '../cluster/client.js';
import { assertReachable, loadKubeConfig } from '../cluster/connect.js';
import { desiredSets, refOf, type ClusterTarget } from '../source/desired.js';
import type { Checkout } from '../source/source.js';
import type { ClusterRef } from '../source/clusters.js';
import { checkoutOf, type SourceFlags } from './revision.js';

export { checkoutOf, sourceOf, type RevisionFlags, type SourceFlags } from './revision.js';

export interface TargetFlags extends SourceFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Synthesizes every selected cluster first (so a synth error writes nothing anywhere). */
export async function loadRevision(flags: TargetFlags): Promise<{ checkout: Checkout; targets: ClusterTarget[] }> {
  const checkout = await checkoutOf(flags);
  return { checkout, targets: await desiredSets(checkout, flags.cluster) };
}

/** {@link loadRevision}'s targets. */
export async function loadTargets(flags: TargetFlags): Promise<ClusterTarget[]> {
  return (await loadRevision(flags)).targets;
}

/** A reachable client for a target (see {@link connectCluster}). */
export function connectTarget(flags: TargetFlags, target: ClusterTarget): Promise<ClusterClient> {
  return connectCluster(flags, refOf(target));
}

/**
 * A reachable client for a cluster: --kubeconfig/KUBECONFIG, context from the flag or the
 * cluster.yaml as palisade read it (never as the revision's code returns it).
 */
export async function connectCluster(flags: TargetFlags, ref: ClusterRef): Promise<ClusterClient> {
  const kc = loadKubeConfig({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
  // Without --context, the cluster's own context applies when the kubeconfig has it.
  if (!flags.context && ref.context && kc.getContextObject(ref.context)) kc.setCurrentContext(ref.context);
  const client = clientFor(kc);
  await assertReachable(client);
  return client;
}
