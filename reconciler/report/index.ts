/** Drift reports and their formats. */
import { assertNever } from '../../lib/core/assert.js';
import type { DriftReport } from './drift-report.js';
import { formatJunit } from './formatters/junit.js';
import { formatMarkdown } from './formatters/markdown.js';
import { formatSarif } from './formatters/sarif.js';
import { formatText } from './formatters/text.js';

export { buildDriftReport, hasOpenDrift, type DriftReport, type DriftItem, type DriftKind } from './drift-report.js';

import type { ReportFormat } from './formats.js';

export { REPORT_FORMATS, type ReportFormat } from './formats.js';

export function formatReports(reports: readonly DriftReport[], format: ReportFormat, colors = false): string {
  switch (format) {
    case 'text': return formatText(reports, colors);
    case 'markdown': return formatMarkdown(reports);
    case 'json': return `${JSON.stringify(reports, null, 2)}\n`;
    case 'junit': return formatJunit(reports);
    case 'sarif': return formatSarif(reports);
    default: return assertNever(format, 'report format');
  }
}
