import type { Command } from 'commander';
import { doctor, formatFindings, type DoctorReport } from '../doctor/index.js';
import { action, EXIT } from './action.js';
import { addTargetOptions, connectTarget, loadTargets, type TargetFlags } from './targets.js';

async function run(flags: TargetFlags): Promise<number> {
  const reports: DoctorReport[] = [];
  for (const t of await loadTargets(flags)) reports.push(await doctor(await connectTarget(flags, t), t));
  process.stdout.write(formatFindings(reports));
  return reports.some((r) => r.findings.some((f) => !f.ok)) ? EXIT.findings : EXIT.ok;
}

/** `palisade doctor`: check a live cluster for the assumptions palisade's output depends on. */
export function registerDoctor(program: Command): void {
  addTargetOptions(program.command('doctor')
    .description('check a live cluster for what palisade\'s output assumes: kinds served, Cilium version and identity labels, Calico tier order, Kyverno/Tetragon running; reads only (exit 0 all hold, 1 one does not, 2 error)'))
    .action(action(run));
}
