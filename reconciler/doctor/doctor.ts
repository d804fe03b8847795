import type { ClusterClient } from '../cluster/client.js';
import type { ClusterTarget } from '../source/desired.js';
import { judge, type Finding } from './checks.js';
import { gatherFacts } from './gather.js';

export interface DoctorReport {
  readonly cluster: string;
  readonly findings: readonly Finding[];
}

/** Checks one cluster against its synthesized output (reads only). */
export async function doctor(client: ClusterClient, target: ClusterTarget): Promise<DoctorReport> {
  const objects = [...target.desired.objects.values()];
  return { cluster: target.spec.name, findings: judge(target.spec, objects, await gatherFacts(client, objects)) };
}

/** One line per check (`ok` / `FAIL`), hints indented under failures. */
export function formatFindings(reports: readonly DoctorReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.cluster}:`);
    for (const f of r.findings) {
      lines.push(`  ${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.message}`);
      if (!f.ok && f.hint) lines.push(`       hint: ${f.hint}`);
    }
  }
  const failed = reports.flatMap((r) => r.findings).filter((f) => !f.ok).length;
  lines.push(failed === 0 ? 'all assumptions hold' : `${failed} assumption(s) do not hold`);
  return `${lines.join('\n')}\n`;
}
