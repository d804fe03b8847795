import type { AgentModel } from '../../model/model.js';

/** CEL building blocks shared by the admission rules (VAP and Kyverno evaluate the same CEL). */

/**
 * A CEL string literal of any text: backslash, quote and every control character escaped, so a
 * value from cluster.yaml or policy code can never end the literal or the expression.
 */
export const lit = (s: string): string => `'${s.replace(/[\\'\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}'`;
export const list = (xs: readonly string[]): string => `[${xs.map(lit).join(', ')}]`;

/**
 * The ServiceAccount a pod spec runs as (`default` when unset, as the API server defaults it).
 * `spec` is a CEL expression for a PodSpec.
 */
export const serviceAccountOf = (spec: string): string =>
  `(has(${spec}.serviceAccountName) && ${spec}.serviceAccountName != '' ? ${spec}.serviceAccountName`
  + ` : (has(${spec}.serviceAccount) && ${spec}.serviceAccount != '' ? ${spec}.serviceAccount : 'default'))`;

/** `namespace/serviceAccount` of the pod being admitted. */
export const POD_IDENTITY = `request.namespace + '/' + ${serviceAccountOf('object.spec')}`;

/** An agent's identity as `namespace/serviceAccount`. */
export const identityOf = (a: AgentModel): string => `${a.namespace}/${a.serviceAccount}`;

/** The username an agent's pods authenticate to the API server as. */
export const usernameOf = (a: AgentModel): string => `system:serviceaccount:${a.namespace}:${a.serviceAccount}`;

/** True when the labels map (a CEL expression) carries every one of `labels`. */
export function carriesLabels(labelsExpr: string, labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `(${lit(k)} in ${labelsExpr} && ${labelsExpr}[${lit(k)}] == ${lit(v)})`).join(' && ');
}

export const labelText = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');

/** A CEL map literal from string keys to CEL expressions. */
export const mapOf = (entries: ReadonlyArray<readonly [string, string]>): string =>
  `{${entries.map(([k, v]) => `${lit(k)}: ${v}`).join(', ')}}`;
