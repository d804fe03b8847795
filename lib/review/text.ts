import type { ClusterReview, EdgeChange, Review } from './types.js';

/** One line per changed edge: `+` added, `-` removed, `~` changed (before → after). */
export function edgeLine(e: EdgeChange): string {
  switch (e.change) {
    case 'added':
      return `+ ${e.after.src} => ${e.after.dst} : ${e.after.conns}`;
    case 'removed':
      return `- ${e.before.src} => ${e.before.dst} : ${e.before.conns}`;
    case 'changed':
      return `~ ${e.after.src} => ${e.after.dst} : ${e.before.conns} → ${e.after.conns}`;
  }
}

function clusterLines(c: ClusterReview): string[] {
  return [
    `cluster ${c.cluster}:`,
    ...c.edges.map((e) => `  ${edgeLine(e)}`),
    ...c.findings.map((f) => `  ! [${f.risk}] ${f.message}`),
    ...c.probes.map((p) => `  probe ${p.ok ? 'ok  ' : 'FAIL'} ${p.probe}: expect ${p.expect}, ${p.before ?? 'n/a'} → ${p.after}`),
    `  ${c.objects.length} object(s) changed`,
    `  reviewed output: Palisade-Digest: ${c.cluster} ${c.digest}`,
  ];
}

/** Plain-text review for terminals and CI logs. */
export function reviewText(r: Review): string {
  const approval = r.needsApproval ? ` (approval "${r.approval.required ?? ''}" required)` : '';
  const rules = r.rules.length === 0 ? [] : ['repository:', ...r.rules.map((f) => `  ! [${f.risk}] ${f.message}`)];
  return `${[`${r.base} → ${r.head}: risk ${r.risk}${approval}`, ...rules, ...r.clusters.flatMap(clusterLines)].join('\n')}\n`;
}
