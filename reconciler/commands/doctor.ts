import { doctor, formatFindings, type DoctorReport } from '../doctor/index.js';
import { EXIT } from './exit.js';
import { connectTarget, loadTargets, type TargetFlags } from './targets.js';

/** `palisade doctor`: check a live cluster for the assumptions palisade's output depends on. */
export async function runDoctor(flags: TargetFlags): Promise<number> {
  const reports: DoctorReport[] = [];
  for (const t of await loadTargets(flags)) reports.push(await doctor(await connectTarget(flags, t), t));
  process.stdout.write(formatFindings(reports));
  return reports.some((r) => r.findings.some((f) => !f.ok)) ? EXIT.findings : EXIT.ok;
}

