import { clientFor, type ClusterClient } from '../cluster/client.js';
import { assertReachable, loadKubeConfig } from '../cluster/connect.js';
import { desiredSets, type ClusterTarget } from '../source/desired.js';
import { resolveSource, type Checkout, type SourceSpec } from '../source/source.js';

/** Which revision: a working tree (`--source DIR`) or a Git repository (`--git URL --ref REF`). */
export interface RevisionFlags {
  readonly source: string;
  readonly git?: string;
  readonly ref: string;
}

/** Which policies, which clusters, which revision: the vocabulary every command shares. */
export interface SourceFlags extends RevisionFlags {
  readonly cluster: string[];
  /** Deprecated: the policies module, relative to the current directory. */
  readonly policies?: string;
  /** Deprecated: the clusters directory. */
  readonly clusters?: string;
}

export interface TargetFlags extends SourceFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
}

export function sourceOf(flags: RevisionFlags): SourceSpec {
  return flags.git ? { kind: 'git', url: flags.git, ref: flags.ref } : { kind: 'local', dir: flags.source };
}

/** The checkout of the flags' revision (a worktree per commit for --git). */
export function checkoutOf(flags: RevisionFlags): Promise<Checkout> {
  return resolveSource(sourceOf(flags));
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

/** A reachable client for a target: --kubeconfig/KUBECONFIG, context from the flag or the cluster.yaml. */
export async function connectTarget(flags: TargetFlags, target: ClusterTarget): Promise<ClusterClient> {
  const kc = loadKubeConfig({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
  // Without --context, the cluster's own context applies when the kubeconfig has it.
  if (!flags.context && target.spec.context && kc.getContextObject(target.spec.context)) kc.setCurrentContext(target.spec.context);
  const client = clientFor(kc);
  await assertReachable(client);
  return client;
}
