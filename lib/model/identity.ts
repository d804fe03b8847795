import type { AgentModel, EndpointModel, PolicyModel, WorkloadSelector } from './model.js';
import type { SynthIssue } from './issues.js';

/**
 * Identity checks: in one namespace, no workload's selector may select another workload's pods
 * (they would silently share access), no two agents share a ServiceAccount, and one GPU tenancy
 * governs a namespace's quota.
 */

type Workload = (AgentModel | EndpointModel) & { readonly what: 'agent' | 'endpoint' };

type Labels = Readonly<Record<string, string>>;

/** True when matchLabels `a` select every pod matchLabels `b` select (a ⊆ b). */
const covers = (a: Labels, b: Labels): boolean => Object.entries(a).every(([k, v]) => b[k] === v);
const sameLabels = (a: Labels, b: Labels): boolean => covers(a, b) && covers(b, a);

const selectsPodsOf = (a: Workload, b: Workload): boolean => covers(a.podLabels, b.podLabels);
const sameSelector = (a: Workload, b: Workload): boolean => sameLabels(a.podLabels, b.podLabels);

/** An agent that also serves (an inference gateway) is one workload in two roles: same selector, agent and endpoint. */
const twoRolesOfOne = (a: Workload, b: Workload): boolean => a.what !== b.what && sameSelector(a, b);

const describe = (w: Workload): string => `${w.what} "${w.name}" (${w.source.path}, podLabels ${JSON.stringify(w.podLabels)})`;

function overlapIssue(a: Workload, b: Workload): SynthIssue {
  const [wide, narrow] = selectsPodsOf(a, b) ? [a, b] : [b, a];
  return {
    code: 'SelectorOverlap', path: b.source.path,
    message: `in namespace "${a.namespace}", the selector of ${describe(wide)} also selects the pods of ${describe(narrow)}: both would get each other's access`,
    hint: 'give each workload a label the other does not carry, e.g. app: <name>',
  };
}

/** Every pair of workloads of one namespace where one selects the other's pods, in declaration order (only pairs within a namespace are compared). */
function overlaps(model: PolicyModel): SynthIssue[] {
  const all: Workload[] = [...model.agents.map((a) => ({ ...a, what: 'agent' as const })), ...model.endpoints.map((e) => ({ ...e, what: 'endpoint' as const }))];
  const byNamespace = new Map<string, Workload[]>();
  for (const w of all) {
    const mates = byNamespace.get(w.namespace);
    if (mates) mates.push(w); else byNamespace.set(w.namespace, [w]);
  }
  const clash = (a: Workload, b: Workload): boolean => (selectsPodsOf(a, b) || selectsPodsOf(b, a)) && !twoRolesOfOne(a, b);
  return all.flatMap((a) => {
    const mates = byNamespace.get(a.namespace)!;
    return mates.slice(mates.indexOf(a) + 1).filter((b) => clash(a, b)).map((b) => overlapIssue(a, b));
  });
}

function sharedServiceAccounts(model: PolicyModel): SynthIssue[] {
  const seen = new Map<string, AgentModel>();
  const issues: SynthIssue[] = [];
  for (const a of model.agents) {
    const key = `${a.namespace}/${a.serviceAccount}`;
    const first = seen.get(key);
    if (first) issues.push({ code: 'IdentityConflict', path: a.source.path, message: `agents "${first.name}" (${first.source.path}) and "${a.name}" share the ServiceAccount ${key}: an identity is one agent`, hint: 'give each agent its own serviceAccount' });
    else seen.set(key, a);
  }
  return issues;
}

function gpuPerNamespace(model: PolicyModel): SynthIssue[] {
  const seen = new Map<string, AgentModel>();
  const issues: SynthIssue[] = [];
  for (const a of model.agents.filter((x) => x.gpu !== undefined)) {
    const first = seen.get(a.namespace);
    if (first && first.gpu !== a.gpu) {
      issues.push({ code: 'GpuTenancyConflict', path: a.source.path, message: `namespace "${a.namespace}" has GPU tenancy "${first.gpu}" (agent "${first.name}", ${first.source.path}) and "${a.gpu}" (agent "${a.name}"): a namespace has one GPU quota`, hint: 'use one GpuTenancy per namespace, or move the agent to its own namespace' });
    }
    if (!first) seen.set(a.namespace, a);
  }
  return issues;
}

export function identityIssues(model: PolicyModel): SynthIssue[] {
  return [...overlaps(model), ...sharedServiceAccounts(model), ...gpuPerNamespace(model)];
}

/** The agent a workload is, when it is one (an endpoint with the same namespace and selector counts: one workload, two roles). */
export function agentOf(model: PolicyModel, w: WorkloadSelector): AgentModel | undefined {
  return model.agents.find((a) => a.namespace === w.namespace && sameLabels(a.podLabels, w.podLabels));
}
