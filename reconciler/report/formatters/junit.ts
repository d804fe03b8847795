import { formatId } from '../../../lib/core/resource-id.js';
import type { DriftReport } from '../drift-report.js';
import { fieldLine } from './text.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: a test suite per cluster, a test case per object; drift is a failure. */
export function formatJunit(reports: readonly DriftReport[]): string {
  const suites = reports.map((r) => {
    const open = r.items.filter((i) => !i.corrected);
    const names = [...new Set([...r.managed.map(formatId), ...r.items.map((i) => formatId(i.id))])].sort();
    const cases = names.map((name) => {
      const mine = open.filter((i) => formatId(i.id) === name);
      if (mine.length === 0) return `    <testcase classname="${esc(r.cluster)}" name="${esc(name)}"/>`;
      const kinds = mine.map((i) => i.kind).join(', ');
      const body = esc(mine.flatMap((i) => [i.detail ?? '', ...i.fields.map(fieldLine)]).filter(Boolean).join('\n'));
      return `    <testcase classname="${esc(r.cluster)}" name="${esc(name)}">\n      <failure message="${esc(`${kinds}: ${name}`)}" type="${esc(kinds)}">${body}</failure>\n    </testcase>`;
    });
    const failures = names.filter((n) => open.some((i) => formatId(i.id) === n)).length;
    return `  <testsuite name="palisade drift ${esc(r.cluster)}" tests="${names.length}" failures="${failures}" errors="${r.failures.length}" timestamp="${esc(r.detectedAt)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade drift">\n${suites.join('\n')}\n</testsuites>\n`;
}
