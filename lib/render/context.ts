import type { Chart } from 'cdk8s';
import type { ClusterSpec } from '../cluster/cluster-spec.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from '../core/labels.js';
import type { SynthIssue } from '../model/issues.js';
import type { PolicyModel } from '../model/model.js';

/** What every renderer gets: the model, the cluster, a scope for typed objects and an issue list. */
export interface RenderContext {
  readonly model: PolicyModel;
  readonly cluster: ClusterSpec;
  readonly chart: Chart;
  readonly issues: SynthIssue[];
}

/** Which construct(s) and rule an object implements; becomes annotations and the synth index. */
export interface Trace {
  readonly sources: readonly string[];
  readonly rule: string;
}

export interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Standard metadata: ownership labels plus source/rule annotations. */
export function meta(ctx: RenderContext, name: string, namespace: string | undefined, trace: Trace): Metadata {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.cluster]: ctx.cluster.name },
    annotations: { [ANNOTATIONS.source]: [...new Set(trace.sources)].sort().join(','), [ANNOTATIONS.rule]: trace.rule },
  };
}

/** Unique construct id for an object in the render chart. */
export function objectId(kind: string, name: string, namespace?: string): string {
  return `${kind}-${namespace ?? '_'}-${name}`;
}

export function unsupported(ctx: RenderContext, path: string, message: string, hint: string): void {
  ctx.issues.push({ code: 'UnsupportedByBackend', path, message: `${message} (cluster "${ctx.cluster.name}")`, hint });
}
