import * as ivp from '../../imports/kyverno-ivp-policies.kyverno.io.js';
import * as vp from '../../imports/kyverno-vp-policies.kyverno.io.js';
import type { RegistryModel, SignatureRule } from '../../model/model.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { NAMESPACE_NAME_LABEL } from '../selectors.js';
import { admissionRules, AGENT_NAMESPACE_SELECTOR, type AdmissionRule } from './rules.js';

/** Kyverno (policies.kyverno.io/v1): ValidatingPolicy per admission rule, ImageValidatingPolicy for signatures. */

function namespaceSelector(namespaces: readonly string[] | undefined): vp.ValidatingPolicySpecMatchConstraintsNamespaceSelector {
  return namespaces === undefined ? AGENT_NAMESPACE_SELECTOR : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...namespaces] }] };
}

function validatingPolicy(ctx: RenderContext, r: AdmissionRule): void {
  new vp.ValidatingPolicy(ctx.chart, objectId('kvp', r.name), {
    metadata: meta(ctx, r.name, undefined, { sources: r.sources, rule: r.rule }),
    spec: {
      validationActions: [vp.ValidatingPolicySpecValidationActions.DENY],
      failurePolicy: vp.ValidatingPolicySpecFailurePolicy.FAIL,
      evaluation: { background: { enabled: true } },
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: [...r.operations], resources: r.ephemeral ? ['pods', 'pods/ephemeralcontainers'] : ['pods'] }],
        namespaceSelector: namespaceSelector(r.namespaces),
      },
      ...(r.variables.length > 0 ? { variables: r.variables.map((v) => ({ ...v })) } : {}),
      validations: r.validations.map((v) => ({ ...v, reason: 'Forbidden' })),
    },
  });
}

function attestor(s: SignatureRule, i: number): ivp.ImageValidatingPolicySpecAttestors {
  switch (s.kind) {
    case 'key': return { name: `a${i}`, cosign: { key: { data: `${s.publicKey}\n` } } };
    case 'keyless': return { name: `a${i}`, cosign: { keyless: { identities: [{ issuer: s.issuer, subject: s.subject }] }, ctlog: { url: 'https://rekor.sigstore.dev' } } };
  }
}

function imageValidatingPolicy(ctx: RenderContext, reg: RegistryModel): void {
  const name = `palisade-signatures-${reg.name}`;
  const namespaces = [...new Set(ctx.model.agents.filter((a) => a.registry === reg.name).map((a) => a.namespace))].sort();
  if (namespaces.length === 0) return;
  const attestors = reg.signatures.map(attestor);
  const refs = attestors.map((a) => `attestors.${a.name}`).join(', ');
  new ivp.ImageValidatingPolicy(ctx.chart, objectId('kivp', name), {
    metadata: meta(ctx, name, undefined, { sources: [reg.source.path], rule: `admission:image-signatures:${reg.name}` }),
    spec: {
      validationActions: [ivp.ImageValidatingPolicySpecValidationActions.DENY],
      failurePolicy: ivp.ImageValidatingPolicySpecFailurePolicy.FAIL,
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }],
        namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: namespaces }] },
      },
      matchImageReferences: reg.prefixes.map((p) => ({ glob: `${p}*` })),
      validationConfigurations: { mutateDigest: true, verifyDigest: true, required: true },
      attestors,
      validations: [{
        expression: `images.containers.map(i, verifyImageSignatures(i, [${refs}])).all(e, e > 0)`,
        message: `images from ${reg.prefixes.join(', ')} must be signed (${reg.signatures.map((s) => s.kind).join(' or ')})`,
      }],
    },
  });
}

export function renderKyverno(ctx: RenderContext): void {
  for (const r of admissionRules(ctx.model)) validatingPolicy(ctx, r);
  for (const reg of ctx.model.registries.filter((x) => x.signatures.length > 0)) imageValidatingPolicy(ctx, reg);
}
