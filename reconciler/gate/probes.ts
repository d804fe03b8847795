import { analyzeCluster, evaluateProbes, probesFor, sideClusterOf, type ProbeVerdict, type ReviewConfig } from '../../lib/review/index.js';
import type { SynthResult } from '../../lib/synth/synthesize.js';

/**
 * The verdict of every probe of a revision on one synthesized cluster. The analysis runs only
 * when a probe applies to the cluster (it is the expensive part).
 */
export function probeVerdicts(result: SynthResult, config: ReviewConfig): ProbeVerdict[] {
  const cluster = result.cluster.name;
  const applicable = probesFor(cluster, config.probes);
  if (applicable.length === 0) return [];
  return evaluateProbes(cluster, applicable, analyzeCluster(sideClusterOf(result)));
}

/** One line per violated probe, naming the cluster, the revision and the probe. */
export function describeProbeFailures(revision: string, failures: readonly ProbeVerdict[]): string {
  return failures.map((f) => `${f.cluster}: revision ${revision.slice(0, 12)} violates probe "${f.probe}" (expects ${f.expect}, the policies ${f.after})`).join('\n');
}
