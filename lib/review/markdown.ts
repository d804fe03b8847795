import { mermaidOf } from './mermaid.js';
import type { ClusterReview, EdgeChange, Review, Risk } from './types.js';

const RISK_BADGE: Readonly<Record<Risk, string>> = { high: '🔴 high', medium: '🟠 medium', low: '🟡 low', none: '🟢 none' };
/** Marker the workflow uses to find and update its single PR comment. */
export const COMMENT_MARKER = '<!-- palisade-policy-review -->';

function edgeRow(c: EdgeChange): string {
  const e = c.change === 'removed' ? c.before : c.after;
  const conns = c.change === 'changed' ? `${c.before.conns} → ${c.after.conns}` : e.conns;
  const sign = c.change === 'added' ? '➕' : c.change === 'removed' ? '➖' : '✏️';
  return `| ${sign} | \`${e.src}\` | \`${e.dst}\` | ${conns}${e.http === undefined ? '' : ` (HTTP ${e.http})`} |`;
}

function grouped(edges: readonly EdgeChange[]): Map<string, EdgeChange[]> {
  const out = new Map<string, EdgeChange[]>();
  for (const c of edges) {
    const src = c.change === 'removed' ? c.before.src : c.after.src;
    out.set(src, [...(out.get(src) ?? []), c]);
  }
  return out;
}

function clusterSection(c: ClusterReview): string[] {
  const lines = [`### Cluster \`${c.cluster}\``, ''];
  if (c.findings.length > 0) {
    lines.push('| Risk | Finding |', '| --- | --- |', ...c.findings.map((f) => `| ${RISK_BADGE[f.risk]} | ${f.message} |`), '');
  }
  if (c.edges.length > 0) {
    lines.push('```mermaid', mermaidOf(c.edges), '```', '');
    for (const [src, edges] of grouped(c.edges)) {
      lines.push(`<details><summary><code>${src}</code>: ${edges.length} change(s)</summary>`, '', '| | From | To | Connections |', '| --- | --- | --- | --- |', ...edges.map(edgeRow), '', '</details>', '');
    }
  } else lines.push('No connectivity change.', '');
  if (c.probes.length > 0) {
    lines.push('| Probe | Expect | Before | After |', '| --- | --- | --- | --- |', ...c.probes.map((p) => `| ${p.ok ? '✅' : '❌'} ${p.probe} | ${p.expect} | ${p.before ?? 'n/a'} | ${p.after} |`), '');
  }
  lines.push(`Reviewed output (a merge commit with this trailer lets \`reconcile --require-digest\` apply exactly it): \`Palisade-Digest: ${c.cluster} ${c.digest}\``, '');
  if (c.objects.length > 0) {
    lines.push(`<details><summary>Raw object diff: ${c.objects.length} object(s)</summary>`, '', '```diff', ...c.objects.map((o) => o.patch.trimEnd()), '```', '', '</details>', '');
  }
  return lines;
}

/** The PR comment: summary table with a risk level, per cluster a Mermaid graph of changed edges and details. */
export function reviewMarkdown(r: Review): string {
  const summary = r.clusters.map((c) => {
    const added = c.edges.filter((e) => e.change === 'added').length;
    const removed = c.edges.filter((e) => e.change === 'removed').length;
    const changed = c.edges.filter((e) => e.change === 'changed').length;
    const failing = c.probes.filter((p) => !p.ok).length;
    return `| \`${c.cluster}\` | +${added} / -${removed} / ~${changed} | ${c.findings.length} | ${failing === 0 ? 'pass' : `${failing} failing`} | ${c.objects.length} |`;
  });
  const approval = r.approval.required === undefined ? '' : r.needsApproval ? `\n**Approval required:** add the \`${r.approval.required}\` label to accept the weakenings below.\n` : r.approval.granted ? `\nApproved with \`${r.approval.required}\`.\n` : '';
  return [
    COMMENT_MARKER,
    `## palisade policy review: ${RISK_BADGE[r.risk]} risk`,
    '',
    `Comparing **${r.base}** → **${r.head}**.`,
    approval,
    ...(r.rules.length === 0 ? [] : ['### Review rules changed', '', '| Risk | Finding |', '| --- | --- |', ...r.rules.map((f) => `| ${RISK_BADGE[f.risk]} | ${f.message} |`), '']),
    '| Cluster | Edges (+/-/~) | Findings | Probes | Objects changed |',
    '| --- | --- | --- | --- | --- |',
    ...summary,
    '',
    ...r.clusters.flatMap(clusterSection),
  ].join('\n');
}
