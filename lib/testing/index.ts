/**
 * Helpers for testing policies and renderers without a cluster (like cdk8s `Testing`).
 */
import { DEFAULT_DNS, type ClusterSpec } from '../cluster/cluster-spec.js';
import type { KubeObject } from '../core/resource-id.js';
import type { SynthIssue } from '../model/issues.js';
import { SynthError, synthesize, type PolicyDefinition } from '../synth/synthesize.js';

/** A cluster spec with defaults (kubernetes + vap, no runtime) and the given overrides. */
export function testCluster(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name: 'test', network: 'kubernetes', admission: 'vap', runtime: 'none', clusterNetworkPolicy: false,
    calicoEnterprise: false, dns: DEFAULT_DNS, kubeApiServerCidrs: [], allowNamespacePrune: false, ...overrides,
  };
}

/** Synthesizes `define` and returns the objects; throws when synthesis fails. */
export function synthObjects(define: PolicyDefinition, cluster: Partial<ClusterSpec> = {}): KubeObject[] {
  return [...synthesize(define, testCluster(cluster)).objects];
}

/** The issues a failing synthesis reports (empty when it succeeds). */
export function synthIssues(define: PolicyDefinition, cluster: Partial<ClusterSpec> = {}): SynthIssue[] {
  try {
    synthesize(define, testCluster(cluster));
    return [];
  } catch (e) {
    if (e instanceof SynthError) return [...e.issues];
    throw e;
  }
}

/** The object of `kind` named `name` (in `namespace`), or throws listing what exists. */
export function findObject(objects: readonly KubeObject[], kind: string, name: string, namespace?: string): KubeObject & { spec?: Record<string, unknown> } {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name}; have: ${objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function objectsOfKind(objects: readonly KubeObject[], kind: string): Array<KubeObject & { spec?: Record<string, unknown> }> {
  return objects.filter((o) => o.kind === kind);
}
