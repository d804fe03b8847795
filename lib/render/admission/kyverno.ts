import * as ivp from '../../imports/kyverno-ivp-policies.kyverno.io.js';
import * as vp from '../../imports/kyverno-vp-policies.kyverno.io.js';
import type { RegistryModel, SignatureRule } from '../../model/model.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { NAMESPACE_NAME_LABEL } from '../selectors.js';
import { POD_AND_EPHEMERAL } from './rule.js';
import { admissionRules, AGENT_NAMESPACE_SELECTOR, registryScope, resourceRules, type AdmissionRule } from './rules.js';

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
        resourceRules: resourceRules(r),
        namespaceSelector: namespaceSelector(r.namespaces),
      },
      ...(r.matchConditions.length > 0 ? { matchConditions: r.matchConditions.map((c) => ({ ...c })) } : {}),
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

/** Every container kind's images, whichever of them Kyverno extracted for the object. */
const ALL_IMAGES = `(${['containers', 'initContainers', 'ephemeralContainers'].map((k) => `('${k}' in images ? images.${k} : [])`).join(' + ')})`;

function imageValidatingPolicy(ctx: RenderContext, reg: RegistryModel): void {
  const name = `palisade-signatures-${reg.name}`;
  const { namespaces, matchConditions } = registryScope(ctx.model, reg.name);
  if (namespaces.length === 0) return;
  const attestors = reg.signatures.map(attestor);
  const refs = attestors.map((a) => `attestors.${a.name}`).join(', ');
  new ivp.ImageValidatingPolicy(ctx.chart, objectId('kivp', name), {
    metadata: meta(ctx, name, undefined, { sources: [reg.source.path], rule: `admission:image-signatures:${reg.name}` }),
    spec: {
      validationActions: [ivp.ImageValidatingPolicySpecValidationActions.DENY],
      failurePolicy: ivp.ImageValidatingPolicySpecFailurePolicy.FAIL,
      matchConstraints: {
        // Ephemeral containers too: `kubectl debug` must not run an unsigned image in an agent's pod.
        resourceRules: resourceRules({ operations: ['CREATE', 'UPDATE'], resources: POD_AND_EPHEMERAL }),
        namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...namespaces] }] },
      },
      matchConditions: matchConditions.map((c) => ({ ...c })),
      matchImageReferences: reg.prefixes.map((p) => ({ glob: `${p}*` })),
      validationConfigurations: { mutateDigest: true, verifyDigest: true, required: true },
      attestors,
      validations: [{
        expression: `${ALL_IMAGES}.map(i, verifyImageSignatures(i, [${refs}])).all(e, e > 0)`,
        message: `images from ${reg.prefixes.join(', ')} must be signed (${reg.signatures.map((s) => s.kind).join(' or ')})`,
      }],
    },
  });
}

export function renderKyverno(ctx: RenderContext): void {
  for (const r of admissionRules(ctx.model)) validatingPolicy(ctx, r);
  for (const reg of ctx.model.registries.filter((x) => x.signatures.length > 0)) imageValidatingPolicy(ctx, reg);
}
