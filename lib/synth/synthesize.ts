import { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterSpec } from '../cluster/cluster-spec.js';
import { PalisadeError } from '../core/errors.js';
import { compareObjects, stageOf } from '../core/order.js';
import { SYNC_WAVES } from '../gitops/objects.js';
import type { KubeObject } from '../core/resource-id.js';
import { collectModel } from '../constructs/model-builder.js';
import { formatIssues, type SynthIssue } from '../model/issues.js';
import type { PolicyModel } from '../model/model.js';
import { validateModel } from '../model/validate.js';
import { lowerEgressProxies } from '../model/egress-proxy.js';
import { capabilitiesOf } from '../cluster/capabilities.js';
import { renderCluster } from '../render/render.js';
import { policyCodeError } from './policy-location.js';
import { SchemaValidator } from './schema-validator.js';

/** Argo CD sync wave by apply stage, so Argo keeps palisade's order (it sorts custom kinds last otherwise). */
function withSyncWave(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'argocd.argoproj.io/sync-wave': SYNC_WAVES[stageOf(o)] ?? '0' } } };
}

/** What `policies/` exports: declares constructs under `scope` for one cluster. */
export type PolicyDefinition = (scope: Construct, cluster: ClusterSpec) => void;

export interface SynthResult {
  readonly cluster: ClusterSpec;
  readonly model: PolicyModel;
  /** Sorted in apply order; every object carries source and rule annotations. */
  readonly objects: readonly KubeObject[];
}

/** A synthesis that failed; `issues` lists every problem, each with its construct path. */
export class SynthError extends PalisadeError {
  public constructor(public readonly cluster: string, public readonly issues: readonly SynthIssue[]) {
    super('SynthFailed', formatIssues(issues, cluster));
  }
}

let sharedValidator: SchemaValidator | undefined;

/** Builds the construct tree, checks it, renders for the cluster and validates every object's schema. */
export function synthesize(define: PolicyDefinition, cluster: ClusterSpec, validator?: SchemaValidator): SynthResult {
  const root = new Construct(new App(), 'policies');
  try {
    define(root, cluster);
  } catch (e) {
    throw policyCodeError(cluster.name, e);
  }
  const lowered = lowerEgressProxies(collectModel(root), capabilitiesOf(cluster).fqdnEgress);
  const model = lowered.model;
  const modelIssues = [...lowered.issues, ...(lowered.issues.length > 0 ? [] : validateModel(model))];
  if (modelIssues.length > 0) throw new SynthError(cluster.name, modelIssues);
  const rendered = renderCluster(model, cluster);
  const schema = validator ?? (sharedValidator ??= new SchemaValidator());
  const issues = [...rendered.issues, ...rendered.objects.flatMap((o) => schema.validate(o))];
  if (issues.length > 0) throw new SynthError(cluster.name, issues);
  return { cluster, model, objects: [...rendered.objects].map(withSyncWave).sort(compareObjects) };
}

export { fileNameOf, indexOf, type IndexEntry } from './index-file.js';
