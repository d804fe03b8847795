import type { EdgeChange } from './types.js';

const label = (text: string): string => `"${text.replace(/"/g, '#quot;')}"`;

function arrow(c: EdgeChange): string {
  switch (c.change) {
    case 'added':
      return `-->|${label(`+ ${c.after.conns}${c.after.http === undefined ? '' : ` HTTP ${c.after.http}`}`)}|`;
    case 'removed':
      return `-.->|${label(`- ${c.before.conns}`)}|`;
    case 'changed':
      return `==>|${label(`${c.before.conns} → ${c.after.conns}${c.after.http === undefined ? '' : ` HTTP ${c.after.http}`}`)}|`;
  }
}

/** A Mermaid flowchart of only the changed edges (added solid, removed dotted, changed thick). */
export function mermaidOf(changes: readonly EdgeChange[]): string {
  const ids = new Map<string, string>();
  const node = (name: string): string => {
    let id = ids.get(name);
    if (id === undefined) {
      id = `n${ids.size}`;
      ids.set(name, id);
    }
    return id;
  };
  const lines = changes.map((c) => {
    const e = c.change === 'removed' ? c.before : c.after;
    return `  ${node(e.src)} ${arrow(c)} ${node(e.dst)}`;
  });
  const nodes = [...ids].map(([name, id]) => `  ${id}[${label(name)}]`);
  return ['flowchart LR', ...nodes, ...lines].join('\n');
}
