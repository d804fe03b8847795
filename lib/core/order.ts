import { ANNOTATIONS } from './labels.js';
import type { KubeObject } from './resource-id.js';

/**
 * Apply stages: nothing of an agent runs before its policies exist. Namespaces first, then classes
 * and tiers, then network and runtime policy, then admission, then the rest.
 */
export type ApplyStage = 'namespaces' | 'classes' | 'policies' | 'admission' | 'rest' | 'protection';

/** `protection` (the admission policy that protects palisade's objects) comes last, and is removed first. */
export const STAGES: readonly ApplyStage[] = ['namespaces', 'classes', 'policies', 'admission', 'rest', 'protection'];

/** The rule annotation of the protection policy (lib/render/admission/protect.ts). */
export const PROTECT_RULE = 'guardrail:protect';

/**
 * Name of the protection ValidatingAdmissionPolicy (and its binding) of a cluster. Here, not in the
 * renderer, so that reading it (drift's denial count) does not load the renderers' generated classes.
 */
export const protectPolicyName = (cluster: string): string => `palisade-protect-${cluster}`;

const STAGE_OF_KIND: Readonly<Record<string, ApplyStage>> = {
  Namespace: 'namespaces', CustomResourceDefinition: 'namespaces',
  RuntimeClass: 'classes', Tier: 'classes',
  NetworkPolicy: 'policies', CiliumNetworkPolicy: 'policies', CiliumClusterwideNetworkPolicy: 'policies',
  GlobalNetworkPolicy: 'policies', GlobalNetworkSet: 'policies', ClusterNetworkPolicy: 'policies',
  TracingPolicyNamespaced: 'policies', TracingPolicy: 'policies',
  ValidatingAdmissionPolicy: 'admission', ValidatingAdmissionPolicyBinding: 'admission',
  ValidatingPolicy: 'admission', ImageValidatingPolicy: 'admission',
};

export function stageOf(obj: Pick<KubeObject, 'kind'> & { readonly metadata?: KubeObject['metadata'] }): ApplyStage {
  if (obj.metadata?.annotations?.[ANNOTATIONS.rule] === PROTECT_RULE) return 'protection';
  return STAGE_OF_KIND[obj.kind] ?? 'rest';
}

/** Deterministic order: stage, then kind, namespace, name. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject): string => `${STAGES.indexOf(stageOf(o))}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
