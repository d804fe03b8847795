/** Calico selector expressions (a string language, e.g. `app == 'agent' && has(zone)`). */

const quote = (v: string): string => `'${v.replace(/'/g, "\\'")}'`;

export function labelsExpr(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} == ${quote(v)}`);
  return parts.length === 0 ? 'all()' : parts.join(' && ');
}

export function notQuarantined(expr: string, quarantineLabel: string): string {
  return `${expr} && ${quarantineLabel} != 'true'`;
}

export function namespaceIs(name: string): string {
  return `kubernetes.io/metadata.name == ${quote(name)}`;
}

export function namespaceIn(names: readonly string[]): string {
  return `kubernetes.io/metadata.name in {${names.map(quote).join(', ')}}`;
}
