import { writeFile } from 'node:fs/promises';
import { formatReports, type DriftReport, type ReportFormat } from '../report/index.js';

/** Writes drift reports to a file, or to stdout (coloured on a terminal unless NO_COLOR). */
export async function emit(reports: readonly DriftReport[], format: ReportFormat, output?: string): Promise<void> {
  const text = formatReports(reports, format, !output && format === 'text' && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  if (output) await writeFile(output, text);
  else process.stdout.write(text);
}
