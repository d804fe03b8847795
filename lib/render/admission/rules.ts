import { LABELS } from '../../core/labels.js';
import type { PolicyModel } from '../../model/model.js';

/**
 * Backend-neutral admission rules in CEL. VAP and Kyverno ValidatingPolicy both evaluate
 * Kubernetes CEL against `object`, so one rule list feeds both renderers.
 */
export interface CelValidation {
  readonly expression: string;
  readonly messageExpression: string;
}

export interface AdmissionRule {
  /** Object name, e.g. `palisade-registry-acme`. */
  readonly name: string;
  readonly rule: string;
  readonly sources: readonly string[];
  /** Pod operations to check. */
  readonly operations: ReadonlyArray<'CREATE' | 'UPDATE'>;
  /** Include the pods/ephemeralcontainers subresource. */
  readonly ephemeral: boolean;
  readonly variables: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  readonly validations: readonly CelValidation[];
  /** Namespaces the rule applies to; undefined = every agent namespace (by label). */
  readonly namespaces?: readonly string[];
}

const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (xs: readonly string[]): string => `[${xs.map(lit).join(', ')}]`;

const IMAGES = 'object.spec.containers.map(c, c.image)'
  + ' + (has(object.spec.initContainers) ? object.spec.initContainers.map(c, c.image) : [])'
  + ' + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers.map(c, c.image) : [])';

const PRIVILEGED = (field: string): string =>
  `(has(object.spec.${field}) ? object.spec.${field}.filter(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged).map(c, c.name) : [])`;

function guardrails(): AdmissionRule {
  return {
    name: 'palisade-agent-guardrails', rule: 'guardrail:no-privileged-or-host-namespaces', sources: ['(guardrail)'],
    operations: ['CREATE', 'UPDATE'], ephemeral: true,
    variables: [{ name: 'privileged', expression: `${PRIVILEGED('containers')} + ${PRIVILEGED('initContainers')} + ${PRIVILEGED('ephemeralContainers')}` }],
    validations: [
      { expression: 'size(variables.privileged) == 0', messageExpression: "'privileged containers are not allowed in agent namespaces: ' + variables.privileged.join(', ')" },
      {
        expression: '!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && !(has(object.spec.hostPID) && object.spec.hostPID) && !(has(object.spec.hostIPC) && object.spec.hostIPC)',
        messageExpression: "'hostNetwork, hostPID and hostIPC are not allowed in agent namespaces'",
      },
    ],
  };
}

const namespacesOf = (model: PolicyModel, pick: (a: PolicyModel['agents'][number]) => string | undefined, name: string): string[] =>
  [...new Set(model.agents.filter((a) => pick(a) === name).map((a) => a.namespace))].sort();

function registryRules(model: PolicyModel): AdmissionRule[] {
  return model.registries.map((r) => ({
    name: `palisade-registry-${r.name}`, rule: `admission:registry-allowlist:${r.name}`, sources: [r.source.path],
    operations: ['CREATE', 'UPDATE'], ephemeral: true,
    variables: [{ name: 'images', expression: IMAGES }, { name: 'allowed', expression: list(r.prefixes) }],
    validations: [{
      expression: 'variables.images.all(img, variables.allowed.exists(p, img.startsWith(p)))',
      messageExpression: `'images not from an allowed registry (${r.prefixes.join(', ')}): ' + variables.images.filter(img, !variables.allowed.exists(p, img.startsWith(p))).join(', ')`,
    }],
    namespaces: namespacesOf(model, (a) => a.registry, r.name),
  }));
}

function sandboxRules(model: PolicyModel): AdmissionRule[] {
  return model.sandboxes.map((s) => ({
    name: `palisade-sandbox-${s.name}`, rule: `admission:sandbox:${s.name}`, sources: [s.source.path],
    operations: ['CREATE'], ephemeral: false, variables: [],
    validations: [{
      expression: `has(object.spec.runtimeClassName) && object.spec.runtimeClassName == ${lit(s.runtimeClassName)}`,
      messageExpression: `'pods here must run in the ${s.runtime} sandbox: set spec.runtimeClassName: ${s.runtimeClassName}'`,
    }],
    namespaces: namespacesOf(model, (a) => a.sandbox, s.name),
  }));
}

const RESOURCES = (field: string): string =>
  `object.spec.${field}.map(c, (has(c.resources) && has(c.resources.limits) ? c.resources.limits.map(k, k) : []) + (has(c.resources) && has(c.resources.requests) ? c.resources.requests.map(k, k) : []))`;

function gpuRules(model: PolicyModel): AdmissionRule[] {
  return model.gpuTenancies.map((g) => {
    const forbidden = g.mode === 'mig' ? "r == 'nvidia.com/gpu'" : "r.startsWith('nvidia.com/mig-')";
    return {
      name: `palisade-gpu-${g.name}`, rule: `admission:gpu:${g.name}`, sources: [g.source.path],
      operations: ['CREATE'], ephemeral: false,
      variables: [{ name: 'resources', expression: `${RESOURCES('containers')} + (has(object.spec.initContainers) ? ${RESOURCES('initContainers')} : [])` }],
      validations: [{
        expression: `!variables.resources.exists(rs, rs.exists(r, ${forbidden}))`,
        messageExpression: `'GPU tenancy ${g.name} allows ${g.mode === 'mig' ? 'MIG slices (nvidia.com/mig-*) only, not whole GPUs' : 'whole GPUs (nvidia.com/gpu) only, not MIG slices'}'`,
      }],
      namespaces: namespacesOf(model, (a) => a.gpu, g.name),
    };
  });
}

/** Every admission rule the model implies, sorted by name. Rules with no namespace are dropped. */
export function admissionRules(model: PolicyModel): AdmissionRule[] {
  const rules = [guardrails(), ...registryRules(model), ...sandboxRules(model), ...gpuRules(model)];
  return rules.filter((r) => r.namespaces === undefined || r.namespaces.length > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
}

export const AGENT_NAMESPACE_SELECTOR = { matchLabels: { [LABELS.agentNamespace]: 'true' } };
