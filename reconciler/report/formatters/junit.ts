import { formatId } from '../../../lib/core/resource-id.js';
import type { DriftReport } from '../drift-report.js';
import { fieldLine } from './text.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: a test suite per cluster, a test case per object; drift is a failure. */
export function formatJunit(reports: readonly DriftReport[]): string {
  const suites = reports.map((r) => {
    const drifted = new Map(r.items.map((i) => [formatId(i.id), i]));
    const names = [...new Set([...r.managed.map(formatId), ...drifted.keys()])].sort();
    const cases = names.map((name) => {
      const i = drifted.get(name);
      if (!i || i.corrected) return `    <testcase classname="${esc(r.cluster)}" name="${esc(name)}"/>`;
      const body = esc([i.detail ?? '', ...i.fields.map(fieldLine)].filter(Boolean).join('\n'));
      return `    <testcase classname="${esc(r.cluster)}" name="${esc(name)}">\n      <failure message="${esc(`${i.kind}: ${name}`)}" type="${i.kind}">${body}</failure>\n    </testcase>`;
    });
    const failures = [...drifted.values()].filter((i) => !i.corrected).length;
    return `  <testsuite name="palisade drift ${esc(r.cluster)}" tests="${names.length}" failures="${failures}" errors="${r.failures.length}" timestamp="${esc(r.detectedAt)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade drift">\n${suites.join('\n')}\n</testsuites>\n`;
}
