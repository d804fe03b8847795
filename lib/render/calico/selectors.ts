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

/** Labels Calico puts on every workload endpoint (libcalico-go apiv3 constants). */
export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';
export const CALICO_SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';

/** A `serviceAccountSelector` naming one ServiceAccount (Calico labels each with `projectcalico.org/name`). */
export function serviceAccountIs(name: string): string {
  return `projectcalico.org/name == ${quote(name)}`;
}

/** Endpoints of one agent identity: its namespace and ServiceAccount. */
export function identityIs(namespace: string, serviceAccount: string): string {
  return `${CALICO_NAMESPACE_LABEL} == ${quote(namespace)} && ${CALICO_SERVICE_ACCOUNT_LABEL} == ${quote(serviceAccount)}`;
}
