import pc from 'picocolors';
import { formatId } from '../../../lib/core/resource-id.js';
import { describeAppliedRevision } from '../../inventory/revision-record.js';
import type { FieldChange } from '../../plan/types.js';
import type { DriftItem, DriftReport } from '../drift-report.js';

const show = (v: unknown): string => (v === undefined ? '∅' : JSON.stringify(v));

export function fieldLine(f: FieldChange): string {
  const who = f.manager ? ` (by ${f.manager}${f.time ? ` at ${f.time}` : ''})` : '';
  switch (f.op) {
    case 'add': return `+ ${f.pointer}: ${show(f.after)}${who}`;
    case 'remove': return `- ${f.pointer}: was ${show(f.before)}${who}`;
    case 'replace': return `~ ${f.pointer}: ${show(f.before)} → ${show(f.after)}${who}`;
  }
}

const LABEL: Record<DriftItem['kind'], string> = { modified: 'modified', missing: 'missing', foreign: 'foreign', unpruned: 'removed from Git', fight: 'fight with another writer' };
/** What palisade did about it, in the past tense. */
const DONE: Record<DriftItem['kind'], string> = { modified: 'corrected', missing: 'created', foreign: 'removed', unpruned: 'pruned', fight: 'corrected' };

function itemLines(i: DriftItem, colors: boolean): string[] {
  const c = pc.createColors(colors);
  const state = i.corrected ? c.green(DONE[i.kind]) : c.red('drift');
  const head = `    ${state} ${c.bold(formatId(i.id))} ${c.dim(`(${LABEL[i.kind]})`)}${i.detail ? ` — ${i.detail}` : ''}`;
  return [head, ...i.fields.map((f) => `        ${fieldLine(f)}`)];
}

const liveLine = (r: DriftReport): string[] => (r.live === undefined ? [] : [`  live revision: ${describeAppliedRevision(r.live)}`]);

/** Blocked tampers: the count, or why it is unknown (never a made-up zero). */
function denialLine(r: DriftReport): string[] {
  const d = r.denials;
  if (d === undefined) return [];
  if ('error' in d) return [`  denied tampers: unknown: ${d.error}`];
  return [`  denied tampers: ${d.denied} write(s) refused by ${d.policy} since the API server started${d.denied > 0 ? ' (who: API server audit log)' : ''}`];
}

/** Human report, grouped by cluster and kind; colours only on a terminal. */
export function formatText(reports: readonly DriftReport[], colors = false): string {
  const c = pc.createColors(colors);
  const out: string[] = [];
  for (const r of reports) {
    const open = r.items.filter((i) => !i.corrected).length;
    out.push(c.bold(`cluster ${r.cluster} @ ${r.revision.slice(0, 12)}: ${r.managed.length} managed, ${r.items.length} drifted${r.items.length > open ? `, ${r.items.length - open} corrected` : ''}`), ...liveLine(r), ...denialLine(r));
    const kinds = [...new Set(r.items.map((i) => i.id.kind))].sort();
    for (const kind of kinds) {
      out.push(`  ${kind}`);
      for (const i of r.items.filter((x) => x.id.kind === kind)) out.push(...itemLines(i, colors));
    }
    for (const f of r.failures) out.push(c.red(`  failed ${formatId(f.id)}: ${f.error}`));
    if (r.refusal) out.push(c.yellow(`  ${r.refusal}`));
    if (r.items.length === 0 && !r.refusal) out.push(c.green('  no drift'));
  }
  return `${out.join('\n')}\n`;
}
