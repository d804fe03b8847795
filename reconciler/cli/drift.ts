import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { Predictor } from '../observe/predict.js';
import { reconcileOnce } from '../engine/reconcile-once.js';
import { formatReports, hasOpenDrift, REPORT_FORMATS, type DriftReport, type ReportFormat } from '../report/index.js';
import { action, EXIT } from './action.js';
import { addTargetOptions, connectTarget, loadTargets, type TargetFlags } from './targets.js';

interface DriftFlags extends TargetFlags {
  readonly format: ReportFormat;
  readonly output?: string;
}

export async function emit(reports: readonly DriftReport[], format: ReportFormat, output?: string): Promise<void> {
  const text = formatReports(reports, format, !output && format === 'text' && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  if (output) await writeFile(output, text);
  else process.stdout.write(text);
}

async function drift(flags: DriftFlags): Promise<number> {
  const targets = await loadTargets(flags);
  const reports: DriftReport[] = [];
  for (const t of targets) {
    const client = await connectTarget(flags, t);
    reports.push((await reconcileOnce(client, new Predictor(client), t, { write: false })).report);
  }
  await emit(reports, flags.format, flags.output);
  return reports.some(hasOpenDrift) ? EXIT.findings : EXIT.ok;
}

/** `palisade drift`: compare Git with the clusters and write nothing. Exit 0 clean, 1 drift, 2 error. */
export function registerDrift(program: Command): void {
  addTargetOptions(program.command('drift').description('report drift between Git and the clusters; writes nothing (exit 0 no drift, 1 drift, 2 error)'))
    .addOption(new Option('-f, --format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(action(drift));
}
