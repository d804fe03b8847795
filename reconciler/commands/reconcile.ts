import { PalisadeError } from '../../lib/core/errors.js';
import { formatId } from '../../lib/core/resource-id.js';
import { Predictor } from '../observe/predict.js';
import { reconcileOnce } from '../engine/reconcile-once.js';
import { runLoop } from '../engine/loop.js';
import { hasOpenDrift, type DriftReport, type ReportFormat } from '../report/index.js';
import { appliedOf, describeProbeFailures, digestRefusal, gateCluster, headMessage, isRefusal, parseTrustRevision, reviewsOf, type Gated, type TrustOptions } from '../gate/index.js';
import { recordAppliedRevision } from '../inventory/revision-record.js';
import type { Checkout } from '../source/source.js';
import type { ClusterRef } from '../source/clusters.js';
import { clustersOf, failedProbes, synthesizeTargets, type ClusterTarget } from '../source/desired.js';
import { EXIT } from './exit.js';
import { emit } from './emit.js';
import { checkoutOf, connectCluster, sourceOf, type TargetFlags } from './targets.js';

export interface ReconcileFlags extends TargetFlags {
  readonly once?: boolean;
  readonly watch?: boolean;
  readonly allowMassPrune?: boolean;
  readonly allowProbeFailures?: boolean;
  /** A full SHA: the baseline of a cluster with no applied revision recorded. */
  readonly trustRevision?: string;
  readonly allowRollback?: boolean;
  /** Apply a revision only when its head commit records each cluster's output digest as reviewed. */
  readonly requireDigest?: boolean;
  readonly format: ReportFormat;
  readonly output?: string;
  readonly pollInterval: string;
  readonly resyncInterval: string;
  readonly listen: string;
}

const trustOf = (flags: ReconcileFlags): TrustOptions => {
  const trustRevision = parseTrustRevision(flags.trustRevision);
  return { ...(trustRevision ? { trustRevision } : {}), allowRollback: flags.allowRollback ?? false };
};

/** The probe gate of `--once`: true when the revision may be applied (the reason is printed either way). */
function probesAdmit(targets: readonly ClusterTarget[], allow: boolean): boolean {
  const failures = targets.flatMap(failedProbes);
  if (failures.length === 0) return true;
  const revision = targets[0]?.desired.revision ?? '';
  process.stderr.write(`${describeProbeFailures(revision, failures)}\n`);
  process.stderr.write(allow ? 'applying anyway (--allow-probe-failures)\n' : 'nothing applied: the revision violates its probes (--allow-probe-failures applies it anyway)\n');
  return allow;
}

/**
 * Gates 1-3 of `--once` (see ../gate/admit.ts) for every cluster before any policy code runs and
 * before any is written; undefined when one refuses (the refusal is printed).
 */
async function gateAll(flags: ReconcileFlags, checkout: Checkout, refs: readonly ClusterRef[]): Promise<Gated[] | undefined> {
  const out: Gated[] = [];
  const trust = trustOf(flags);
  for (const ref of refs) {
    const gated = await gateCluster(checkout, ref, await connectCluster(flags, ref), { trust, gated: flags.git !== undefined });
    if (isRefusal(gated)) {
      process.stderr.write(`${gated.message}\nnothing applied: the revision was not admitted (${gated.reason})\n`);
      return undefined;
    }
    out.push(gated);
  }
  return out;
}

/** The reviewed-output gate of `--once` (`--require-digest`): true when every target's output is the one its head commit records. */
async function digestsAdmit(flags: ReconcileFlags, checkout: Checkout, targets: readonly ClusterTarget[]): Promise<boolean> {
  if (!flags.requireDigest) return true;
  const message = await headMessage(checkout);
  const refusals = targets.flatMap((t) => digestRefusal(t, message, checkout.revision) ?? []);
  for (const r of refusals) process.stderr.write(`${r.message}\nnothing applied: the revision was not admitted (${r.reason})\n`);
  return refusals.length === 0;
}

async function once(flags: ReconcileFlags): Promise<number> {
  const checkout = await checkoutOf(flags);
  const refs = await clustersOf(checkout, flags.cluster);
  const gated = await gateAll(flags, checkout, refs);
  if (gated === undefined) return EXIT.findings;
  const targets = await synthesizeTargets(checkout, refs, { review: reviewsOf(gated), digest: flags.requireDigest ?? false });
  if (!probesAdmit(targets, flags.allowProbeFailures ?? false)) return EXIT.findings;
  if (!(await digestsAdmit(flags, checkout, targets))) return EXIT.findings;
  const reports: DriftReport[] = [];
  for (const [i, t] of targets.entries()) {
    const { client, admission } = gated[i]!;
    await recordAppliedRevision(client, t.spec.name, appliedOf(checkout, admission));
    const pass = await reconcileOnce(client, new Predictor(client), t, {
      write: true, allowMassPrune: flags.allowMassPrune ?? false,
      onEntry: (e) => { if (e.action !== 'unchanged') process.stderr.write(`  ${e.action} ${formatId(e.id)}${e.error ? `: ${e.error}` : ''}\n`); },
    });
    reports.push(pass.report);
  }
  await emit(reports, flags.format, flags.output);
  if (reports.some((r) => r.failures.length > 0 || r.refusal)) return EXIT.error;
  return reports.some(hasOpenDrift) ? EXIT.findings : EXIT.ok;
}

function seconds(text: string, flag = '--poll-interval'): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!m) throw new PalisadeError('InvalidInput', `${flag} "${text}" is not a duration (e.g. 30s, 2m, 500ms)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

/** `palisade reconcile --once | --watch`: apply Git to the clusters, prune, correct drift. */
export async function runReconcile(flags: ReconcileFlags): Promise<number> {
  if (flags.once === flags.watch) throw new PalisadeError('InvalidInput', 'pass exactly one of --once or --watch');
  if (flags.once) return once(flags);
  const [host, port] = flags.listen.split(':');
  await runLoop({
    source: sourceOf(flags), clusters: flags.cluster, pollSeconds: seconds(flags.pollInterval), resyncSeconds: seconds(flags.resyncInterval, '--resync-interval'),
    connect: (ref: ClusterRef) => connectCluster(flags, ref), trust: trustOf(flags), requireDigest: flags.requireDigest ?? false, allowMassPrune: flags.allowMassPrune ?? false, allowProbeFailures: flags.allowProbeFailures ?? false,
    listen: { host: host || '0.0.0.0', port: Number(port ?? 9090) },
  });
  return EXIT.ok;
}

