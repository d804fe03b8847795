import type { KubeObject } from '../../lib/core/resource-id.js';
import type { DesiredSet } from '../plan/types.js';

/** Kinds palisade does not own that, referring to a palisade policy, can exempt from it or weaken it. */
export const EXEMPTING_KINDS = {
  vapBinding: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding' },
  kyvernoException: { apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException' },
} as const;

/** The exempting kinds worth listing or watching: only those that could refer to a policy palisade has. */
export function exemptingKinds(desired: Pick<DesiredSet, 'admissionPolicies' | 'kyvernoPolicies'>): Array<{ readonly apiVersion: string; readonly kind: string }> {
  return [
    ...(desired.admissionPolicies.length > 0 ? [EXEMPTING_KINDS.vapBinding] : []),
    ...(desired.kyvernoPolicies.length > 0 ? [EXEMPTING_KINDS.kyvernoException] : []),
  ];
}

export function isExemptingKind(o: KubeObject): boolean {
  return Object.values(EXEMPTING_KINDS).some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind);
}

const KYVERNO_POLICY_KINDS = new Set(['ValidatingPolicy', 'ImageValidatingPolicy', 'NamespacedValidatingPolicy', 'NamespacedImageValidatingPolicy']);

export function isKyvernoPolicy(o: KubeObject): boolean {
  return o.apiVersion === 'policies.kyverno.io/v1' && KYVERNO_POLICY_KINDS.has(o.kind);
}

const spec = (o: KubeObject): Record<string, unknown> => (o as { spec?: Record<string, unknown> }).spec ?? {};

/** `Kind/name` of every policy a Kyverno PolicyException applies to. */
export function exceptionRefs(o: KubeObject): string[] {
  const refs = Array.isArray(spec(o)['policyRefs']) ? (spec(o)['policyRefs'] as unknown[]) : [];
  return refs.map((r) => `${String((r as { kind?: unknown }).kind)}/${String((r as { name?: unknown }).name)}`);
}

/**
 * Whether `o` (not palisade's) exempts from or weakens a palisade admission policy: a
 * ValidatingAdmissionPolicyBinding of one, or a Kyverno PolicyException naming one.
 */
export function exemptsFromPalisade(o: KubeObject, desired: Pick<DesiredSet, 'admissionPolicies' | 'kyvernoPolicies'>): boolean {
  if (o.apiVersion === EXEMPTING_KINDS.vapBinding.apiVersion && o.kind === EXEMPTING_KINDS.vapBinding.kind) {
    return desired.admissionPolicies.includes(String(spec(o)['policyName']));
  }
  if (o.apiVersion === EXEMPTING_KINDS.kyvernoException.apiVersion && o.kind === EXEMPTING_KINDS.kyvernoException.kind) {
    return exceptionRefs(o).some((r) => desired.kyvernoPolicies.includes(r));
  }
  return false;
}
