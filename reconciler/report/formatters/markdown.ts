import { formatId } from '../../../lib/core/resource-id.js';
import type { DriftReport } from '../drift-report.js';
import { fieldLine } from './text.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function denialsMd(r: DriftReport): string[] {
  const d = r.denials;
  if (d === undefined) return [];
  return ['error' in d ? `Denied tampers: unknown (${d.error}).` : `Denied tampers: **${d.denied}** write(s) refused by \`${d.policy}\` since the API server started.`, ''];
}

/** Markdown for a CI job summary or a PR comment. */
export function formatMarkdown(reports: readonly DriftReport[]): string {
  const out: string[] = ['# palisade drift report', ''];
  for (const r of reports) {
    out.push(`## ${r.cluster} (${r.revision.slice(0, 12)})`, '', `${r.managed.length} managed objects, **${r.items.length} drifted**.`, '', ...denialsMd(r));
    if (r.refusal) out.push(`> :warning: ${r.refusal}`, '');
    if (r.items.length > 0) {
      out.push('| object | drift | fields | state |', '|---|---|---|---|');
      for (const i of r.items) out.push(`| \`${formatId(i.id)}\` | ${i.kind} | ${cell(i.fields.map(fieldLine).join('<br>') || i.detail || '')} | ${i.corrected ? 'corrected' : 'open'} |`);
      out.push('');
    }
    for (const f of r.failures) out.push(`- failed \`${formatId(f.id)}\`: ${cell(f.error)}`);
  }
  return `${out.join('\n')}\n`;
}
