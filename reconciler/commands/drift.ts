import { readAppliedRevision } from '../inventory/revision-record.js';
import { Predictor } from '../observe/predict.js';
import { readDenials } from '../observe/denials.js';
import { reconcileOnce } from '../engine/reconcile-once.js';
import { hasOpenDrift, type DriftReport, type ReportFormat } from '../report/index.js';
import { EXIT } from './exit.js';
import { emit } from './emit.js';
import { connectTarget, loadTargets, type TargetFlags } from './targets.js';

export interface DriftFlags extends TargetFlags {
  readonly format: ReportFormat;
  readonly output?: string;
}


/** `palisade drift`: compare Git with the clusters and write nothing. Exit 0 clean, 1 drift, 2 error. */
export async function runDrift(flags: DriftFlags): Promise<number> {
  const targets = await loadTargets(flags);
  const reports: DriftReport[] = [];
  for (const t of targets) {
    const client = await connectTarget(flags, t);
    const { report } = await reconcileOnce(client, new Predictor(client), t, { write: false });
    const denials = await readDenials(client, t.spec);
    reports.push({ ...report, live: (await readAppliedRevision(client, t.spec.name)) ?? 'none', ...(denials ? { denials } : {}) });
  }
  await emit(reports, flags.format, flags.output);
  return reports.some(hasOpenDrift) ? EXIT.findings : EXIT.ok;
}

