/**
 * Backend-neutral admission rules in CEL. VAP and Kyverno ValidatingPolicy both evaluate
 * Kubernetes CEL against `object` and `request`, so one rule list feeds both renderers.
 */
export interface CelValidation {
  readonly expression: string;
  readonly messageExpression: string;
}

export interface ResourceRule {
  readonly apiGroup: string;
  readonly resources: readonly string[];
}

export interface AdmissionRule {
  /** Object name, e.g. `palisade-registry-acme`. */
  readonly name: string;
  readonly rule: string;
  readonly sources: readonly string[];
  readonly operations: ReadonlyArray<'CREATE' | 'UPDATE' | 'CONNECT'>;
  /** API resources the rule checks (v1 of each group). */
  readonly resources: readonly ResourceRule[];
  /** CEL conditions a request must meet for the rule to apply (e.g. the pod runs as one of some agents). */
  readonly matchConditions: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  readonly variables: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  readonly validations: readonly CelValidation[];
  /** Namespaces the rule applies to; undefined = every agent namespace (by label). */
  readonly namespaces?: readonly string[];
}

export const POD_RESOURCES: readonly ResourceRule[] = [{ apiGroup: '', resources: ['pods'] }];

/** Pods and the ephemeral containers `kubectl debug` adds to running pods. */
export const POD_AND_EPHEMERAL: readonly ResourceRule[] = [{ apiGroup: '', resources: ['pods', 'pods/ephemeralcontainers'] }];

/** The ways into a running pod: a shell or attached terminal, a forwarded port, a debug container. */
export const POD_ENTRY: readonly ResourceRule[] = [{ apiGroup: '', resources: ['pods/attach', 'pods/ephemeralcontainers', 'pods/exec', 'pods/portforward'] }];

/** Pods and every built-in kind with a pod template. */
export const WORKLOAD_RESOURCES: readonly ResourceRule[] = [
  { apiGroup: '', resources: ['pods', 'replicationcontrollers'] },
  { apiGroup: 'apps', resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroup: 'batch', resources: ['cronjobs', 'jobs'] },
];

/** `resourceRules` of matchConstraints, as VAP and Kyverno spell them. */
export function resourceRules(r: Pick<AdmissionRule, 'operations' | 'resources'>): Array<{ apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }> {
  return r.resources.map((x) => ({ apiGroups: [x.apiGroup], apiVersions: ['v1'], operations: [...r.operations], resources: [...x.resources] }));
}
