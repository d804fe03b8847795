import type { Command } from 'commander';
import { clientFor, type ClusterClient } from '../cluster/client.js';
import { assertReachable, loadKubeConfig } from '../cluster/connect.js';
import { desiredSets, type ClusterTarget } from '../source/desired.js';
import { resolveSource, type SourceSpec } from '../source/source.js';

export interface TargetFlags {
  readonly cluster: string[];
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly source: string;
  readonly git?: string;
  readonly ref: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Options every command that reads policies and talks to clusters shares. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-c, --cluster <name>', 'cluster from clusters/ (repeatable; default: all)', collect, [])
    .option('--kubeconfig <path>', 'kubeconfig (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', "kubeconfig context (default: the cluster's `context`, then the current context)")
    .option('--source <dir>', 'repository directory holding policies/ and clusters/', '.')
    .option('--git <url>', 'read policies from this Git repository instead of --source')
    .option('--ref <ref>', 'branch, tag or commit of --git', 'main');
}

export function sourceOf(flags: TargetFlags): SourceSpec {
  return flags.git ? { kind: 'git', url: flags.git, ref: flags.ref } : { kind: 'local', dir: flags.source };
}

/** Synthesizes every selected cluster first (so a synth error writes nothing anywhere). */
export async function loadTargets(flags: TargetFlags): Promise<ClusterTarget[]> {
  const checkout = await resolveSource(sourceOf(flags));
  return desiredSets(checkout, flags.cluster);
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
