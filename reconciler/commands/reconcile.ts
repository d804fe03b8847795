import { PalisadeError } from '../../lib/core/errors.js';
import { formatId } from '../../lib/core/resource-id.js';
import { Predictor } from '../observe/predict.js';
import { reconcileOnce } from '../engine/reconcile-once.js';
import { runLoop } from '../engine/loop.js';
import { hasOpenDrift, type DriftReport, type ReportFormat } from '../report/index.js';
import type { ClusterClient } from '../cluster/client.js';
import { appliedOf, describeProbeFailures, describeSignatureRefusal, signaturesAdmit, verifyForCluster } from '../gate/index.js';
import { readAppliedRevision, recordAppliedRevision } from '../inventory/revision-record.js';
import type { Checkout } from '../source/source.js';
import type { RangeVerdict } from '../verify/index.js';
import { failedProbes, type ClusterTarget } from '../source/desired.js';
import { EXIT } from './exit.js';
import { emit } from './emit.js';
import { connectTarget, loadRevision, sourceOf, type TargetFlags } from './targets.js';

export interface ReconcileFlags extends TargetFlags {
  readonly once?: boolean;
  readonly watch?: boolean;
  readonly allowMassPrune?: boolean;
  readonly allowProbeFailures?: boolean;
  readonly format: ReportFormat;
  readonly output?: string;
  readonly pollInterval: string;
  readonly resyncInterval: string;
  readonly listen: string;
}

/** The probe gate of `--once`: true when the revision may be applied (the reason is printed either way). */
function probesAdmit(targets: readonly ClusterTarget[], allow: boolean): boolean {
  const failures = targets.flatMap(failedProbes);
  if (failures.length === 0) return true;
  const revision = targets[0]?.desired.revision ?? '';
  process.stderr.write(`${describeProbeFailures(revision, failures)}\n`);
  process.stderr.write(allow ? 'applying anyway (--allow-probe-failures)\n' : 'nothing applied: the revision violates its probes (--allow-probe-failures applies it anyway)\n');
  return allow;
}

interface Verified { readonly target: ClusterTarget; readonly client: ClusterClient; readonly verdict?: RangeVerdict }

/**
 * The signature gate of `--once` (--git revisions): every cluster's range is verified before any is
 * written; undefined when one is refused (each refusal names the commit and path).
 */
async function signaturesFor(flags: ReconcileFlags, checkout: Checkout, targets: readonly ClusterTarget[]): Promise<Verified[] | undefined> {
  const out: Verified[] = [];
  for (const target of targets) {
    const client = await connectTarget(flags, target);
    if (!flags.git) { out.push({ target, client }); continue; }
    const verdict = await verifyForCluster(checkout, await readAppliedRevision(client, target.spec.name));
    if (!signaturesAdmit(verdict)) {
      process.stderr.write(`${describeSignatureRefusal(target.spec.name, verdict)}\nnothing applied: the revision is not signed as palisade.yaml source.signatures requires\n`);
      return undefined;
    }
    out.push({ target, client, verdict });
  }
  return out;
}

async function once(flags: ReconcileFlags): Promise<number> {
  const { checkout, targets } = await loadRevision(flags);
  const verified = await signaturesFor(flags, checkout, targets);
  if (verified === undefined) return EXIT.findings;
  if (!probesAdmit(targets, flags.allowProbeFailures ?? false)) return EXIT.findings;
  const reports: DriftReport[] = [];
  for (const { target: t, client, verdict } of verified) {
    const pass = await reconcileOnce(client, new Predictor(client), t, {
      write: true, allowMassPrune: flags.allowMassPrune ?? false,
      onEntry: (e) => { if (e.action !== 'unchanged') process.stderr.write(`  ${e.action} ${formatId(e.id)}${e.error ? `: ${e.error}` : ''}\n`); },
    });
    reports.push(pass.report);
    if (!pass.report.refusal) await recordAppliedRevision(client, t.spec.name, verdict === undefined ? { revision: checkout.revision, verified: false, signedBy: [] } : appliedOf(verdict));
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
    connect: (t: ClusterTarget) => connectTarget(flags, t), allowMassPrune: flags.allowMassPrune ?? false, allowProbeFailures: flags.allowProbeFailures ?? false,
    listen: { host: host || '0.0.0.0', port: Number(port ?? 9090) },
  });
  return EXIT.ok;
}

