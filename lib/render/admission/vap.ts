import { k8s } from 'cdk8s-plus-33';
import { meta, objectId, unsupported, type RenderContext } from '../context.js';
import { NAMESPACE_NAME_LABEL } from '../selectors.js';
import { admissionRules, AGENT_NAMESPACE_SELECTOR, resourceRules, type AdmissionRule } from './rules.js';

function namespaceSelector(r: AdmissionRule): k8s.LabelSelector {
  return r.namespaces === undefined ? AGENT_NAMESPACE_SELECTOR
    : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...r.namespaces] }] };
}

function renderRule(ctx: RenderContext, r: AdmissionRule): void {
  const trace = { sources: r.sources, rule: r.rule };
  new k8s.KubeValidatingAdmissionPolicy(ctx.chart, objectId('vap', r.name), {
    metadata: meta(ctx, r.name, undefined, trace),
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: resourceRules(r) },
      ...(r.matchConditions.length > 0 ? { matchConditions: r.matchConditions.map((c) => ({ ...c })) } : {}),
      ...(r.variables.length > 0 ? { variables: r.variables.map((v) => ({ ...v })) } : {}),
      validations: r.validations.map((v) => ({ ...v, reason: 'Forbidden' })),
    },
  });
  new k8s.KubeValidatingAdmissionPolicyBinding(ctx.chart, objectId('vapb', r.name), {
    metadata: meta(ctx, r.name, undefined, trace),
    spec: { policyName: r.name, validationActions: ['Deny'], matchResources: { namespaceSelector: namespaceSelector(r) } },
  });
}

/** ValidatingAdmissionPolicy + Binding per admission rule. Image signatures need Kyverno. */
export function renderVap(ctx: RenderContext): void {
  for (const reg of ctx.model.registries.filter((x) => x.signatures.length > 0)) {
    unsupported(ctx, reg.source.path, `image signature rules of "${reg.name}" cannot be verified by ValidatingAdmissionPolicy (CEL cannot check signatures)`, 'use the kyverno admission backend (ImageValidatingPolicy), or remove the signatures option');
  }
  for (const r of admissionRules(ctx.model)) renderRule(ctx, r);
}
