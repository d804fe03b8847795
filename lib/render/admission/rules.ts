import { LABELS } from '../../core/labels.js';
import type { AgentModel, PolicyModel } from '../../model/model.js';
import { identityOf, lit, list, mapOf, POD_IDENTITY } from './cel.js';
import { identityRules } from './identity.js';
import { POD_AND_EPHEMERAL, POD_RESOURCES, type AdmissionRule } from './rule.js';

export type { AdmissionRule, CelValidation } from './rule.js';
export { resourceRules } from './rule.js';

const IMAGES = 'object.spec.containers.map(c, c.image)'
  + ' + (has(object.spec.initContainers) ? object.spec.initContainers.map(c, c.image) : [])'
  + ' + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers.map(c, c.image) : [])';

const PRIVILEGED = (field: string): string =>
  `(has(object.spec.${field}) ? object.spec.${field}.filter(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged).map(c, c.name) : [])`;

/** Namespace-wide: every pod in an agent namespace, whoever it runs as. */
function guardrails(): AdmissionRule {
  return {
    name: 'palisade-agent-guardrails', rule: 'guardrail:no-privileged-or-host-namespaces', sources: ['(guardrail)'],
    operations: ['CREATE', 'UPDATE'], resources: POD_AND_EPHEMERAL, matchConditions: [],
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

/** The agents a control applies to, and where. A control binds an agent's pods only (by identity). */
interface Scope { readonly agents: readonly AgentModel[]; readonly namespaces: readonly string[] }

function scopeOf(model: PolicyModel, pick: (a: AgentModel) => string | undefined, name: string): Scope {
  const agents = model.agents.filter((a) => pick(a) === name);
  return { agents, namespaces: [...new Set(agents.map((a) => a.namespace))].sort() };
}

const runsAs = (s: Scope): AdmissionRule['matchConditions'] =>
  [{ name: 'runs-as-agent', expression: `(${POD_IDENTITY}) in ${list(s.agents.map(identityOf).sort())}` }];

/** A CEL expression naming the agent the admitted pod runs as (within the scope's agents). */
const agentName = (s: Scope): string => `${mapOf(s.agents.map((a) => [identityOf(a), lit(a.name)] as const))}[${POD_IDENTITY}]`;

function registryRules(model: PolicyModel): AdmissionRule[] {
  return model.registries.map((r) => {
    const s = scopeOf(model, (a) => a.registry, r.name);
    return {
      name: `palisade-registry-${r.name}`, rule: `admission:registry-allowlist:${r.name}`, sources: [r.source.path, ...s.agents.map((a) => a.source.path)],
      operations: ['CREATE', 'UPDATE'], resources: POD_AND_EPHEMERAL, matchConditions: runsAs(s),
      variables: [{ name: 'images', expression: IMAGES }, { name: 'allowed', expression: list(r.prefixes) }],
      validations: [{
        expression: 'variables.images.all(img, variables.allowed.exists(p, img.startsWith(p)))',
        messageExpression: `'images not from an allowed registry (${r.prefixes.join(', ')}) for agent ' + ${agentName(s)} + ': ' + variables.images.filter(img, !variables.allowed.exists(p, img.startsWith(p))).join(', ')`,
      }],
      namespaces: s.namespaces,
    };
  });
}

function sandboxRules(model: PolicyModel): AdmissionRule[] {
  return model.sandboxes.map((x) => {
    const s = scopeOf(model, (a) => a.sandbox, x.name);
    return {
      name: `palisade-sandbox-${x.name}`, rule: `admission:sandbox:${x.name}`, sources: [x.source.path, ...s.agents.map((a) => a.source.path)],
      operations: ['CREATE'], resources: POD_RESOURCES, matchConditions: runsAs(s), variables: [],
      validations: [{
        expression: `has(object.spec.runtimeClassName) && object.spec.runtimeClassName == ${lit(x.runtimeClassName)}`,
        messageExpression: `'pods of agent ' + ${agentName(s)} + ' must run in the ${x.runtime} sandbox: set spec.runtimeClassName: ${x.runtimeClassName}'`,
      }],
      namespaces: s.namespaces,
    };
  });
}

const RESOURCES = (field: string): string =>
  `object.spec.${field}.map(c, (has(c.resources) && has(c.resources.limits) ? c.resources.limits.map(k, k) : []) + (has(c.resources) && has(c.resources.requests) ? c.resources.requests.map(k, k) : []))`;

function gpuRules(model: PolicyModel): AdmissionRule[] {
  return model.gpuTenancies.map((g) => {
    const s = scopeOf(model, (a) => a.gpu, g.name);
    const forbidden = g.mode === 'mig' ? "r == 'nvidia.com/gpu'" : "r.startsWith('nvidia.com/mig-')";
    return {
      name: `palisade-gpu-${g.name}`, rule: `admission:gpu:${g.name}`, sources: [g.source.path, ...s.agents.map((a) => a.source.path)],
      operations: ['CREATE'], resources: POD_RESOURCES, matchConditions: runsAs(s),
      variables: [{ name: 'resources', expression: `${RESOURCES('containers')} + (has(object.spec.initContainers) ? ${RESOURCES('initContainers')} : [])` }],
      validations: [{
        expression: `!variables.resources.exists(rs, rs.exists(r, ${forbidden}))`,
        messageExpression: `'GPU tenancy ${g.name} allows ${g.mode === 'mig' ? 'MIG slices (nvidia.com/mig-*) only, not whole GPUs' : 'whole GPUs (nvidia.com/gpu) only, not MIG slices'}'`,
      }],
      namespaces: s.namespaces,
    };
  });
}

/** The projected volume sources of a pod that mint a ServiceAccount token. */
const TOKEN_VOLUMES = "(has(object.spec.volumes) ? object.spec.volumes.filter(v, has(v.projected) && has(v.projected.sources) && v.projected.sources.exists(s, has(s.serviceAccountToken))).map(v, v.name) : [])";

/**
 * Agents that may not call the Kubernetes API get no token: their ServiceAccount does not mount
 * one, and a pod running as them may neither turn automounting back on nor project a token. One
 * rule per namespace, naming only its agents (the API server caps a CEL expression's size).
 */
function tokenRules(model: PolicyModel): AdmissionRule[] {
  const tokenless = model.agents.filter((a) => !a.allowKubeApi);
  return [...new Set(tokenless.map((a) => a.namespace))].sort().map((namespace) => {
    const scope: Scope = { agents: tokenless.filter((a) => a.namespace === namespace), namespaces: [namespace] };
    return {
      name: `palisade-no-token-${namespace}`, rule: 'admission:no-api-token', sources: scope.agents.map((a) => a.source.path).sort(),
      operations: ['CREATE', 'UPDATE'], resources: POD_RESOURCES, matchConditions: runsAs(scope),
      variables: [{ name: 'tokenVolumes', expression: TOKEN_VOLUMES }],
      validations: [
        {
          expression: '!(has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken)',
          messageExpression: `'agent ' + ${agentName(scope)} + ' may not call the Kubernetes API: its pods may not set automountServiceAccountToken: true (declare allowKubeApi to give it a token)'`,
        },
        {
          expression: 'size(variables.tokenVolumes) == 0',
          messageExpression: `'agent ' + ${agentName(scope)} + ' may not call the Kubernetes API: its pods may not project a ServiceAccount token (volumes ' + variables.tokenVolumes.join(', ') + ')'`,
        },
      ],
      namespaces: scope.namespaces,
    };
  });
}

/** Every admission rule the model implies, sorted by name. Rules that bind no agent are dropped. */
export function admissionRules(model: PolicyModel): AdmissionRule[] {
  const rules = [guardrails(), ...identityRules(model), ...tokenRules(model), ...registryRules(model), ...sandboxRules(model), ...gpuRules(model)];
  return rules.filter((r) => r.namespaces === undefined || r.namespaces.length > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The scope of a registry's signature rule: the agents using it. */
export function registryScope(model: PolicyModel, registry: string): { readonly namespaces: readonly string[]; readonly matchConditions: AdmissionRule['matchConditions'] } {
  const s = scopeOf(model, (a) => a.registry, registry);
  return { namespaces: s.namespaces, matchConditions: s.agents.length === 0 ? [] : runsAs(s) };
}

export const AGENT_NAMESPACE_SELECTOR = { matchLabels: { [LABELS.agentNamespace]: 'true' } };
