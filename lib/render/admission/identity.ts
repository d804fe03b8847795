import type { AgentModel, PolicyModel } from '../../model/model.js';
import { carriesLabels, identityOf, labelText, lit, list, mapOf, POD_IDENTITY, serviceAccountOf, usernameOf } from './cel.js';
import { POD_ENTRY, POD_RESOURCES, WORKLOAD_RESOURCES, type AdmissionRule } from './rule.js';

/**
 * Identity at admission. An agent is its namespace and ServiceAccount: a pod wearing its labels
 * must run as it, a pod running as it must wear its labels (so the dataplane's label selectors and
 * the ServiceAccount name the same pods), and no agent starts pods with another agent's identity
 * unless it declares `spawns()`.
 */

const LABELS = "(has(object.metadata.labels) ? object.metadata.labels : {})";

function bindingRule(a: AgentModel): AdmissionRule {
  const id = identityOf(a);
  return {
    name: `palisade-identity-${a.namespace}-${a.name}`, rule: `admission:identity:${a.name}`, sources: [a.source.path],
    operations: ['CREATE', 'UPDATE'], resources: POD_RESOURCES, matchConditions: [],
    variables: [{ name: 'labels', expression: LABELS }, { name: 'identity', expression: POD_IDENTITY }],
    validations: [
      {
        expression: `!(${carriesLabels('variables.labels', a.podLabels)}) || variables.identity == ${lit(id)}`,
        messageExpression: `'pods with the labels of agent ${a.name} (${labelText(a.podLabels)}) must run as its ServiceAccount ${id}, not ' + variables.identity`,
      },
      {
        expression: `variables.identity != ${lit(id)} || (${carriesLabels('variables.labels', a.podLabels)})`,
        messageExpression: `'pods running as ServiceAccount ${id} (agent ${a.name}) must carry its labels ${labelText(a.podLabels)}'`,
      },
    ],
    namespaces: [a.namespace],
  };
}

/** The pod spec of a Pod, a workload's pod template, or a CronJob's job template. */
const POD_SPEC = "(object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec))";

/** The labels of the pod (or of the pods a workload's template makes). */
const POD_LABELS_OF = (meta: string): string => `(has(${meta}.labels) ? ${meta}.labels : {})`;
const POD_LABELS = `(object.kind == 'Pod' ? ${POD_LABELS_OF('object.metadata')} : (object.kind == 'CronJob' ? ${POD_LABELS_OF('object.spec.jobTemplate.spec.template.metadata')} : ${POD_LABELS_OF('object.spec.template.metadata')}))`;

/**
 * Pods of this namespace that some declared workload accounts for: they carry an agent's labels
 * (whose own rule binds them to its ServiceAccount) or an endpoint's labels (endpoints are
 * selected by label). `false` when the namespace declares neither.
 */
function declaredLabels(model: PolicyModel, namespace: string): string {
  const workloads = [...model.agents, ...model.endpoints].filter((w) => w.namespace === namespace);
  const each = workloads.filter((w) => Object.keys(w.podLabels).length > 0).map((w) => `(${carriesLabels('variables.podLabels', w.podLabels)})`);
  return each.length === 0 ? 'false' : [...new Set(each)].sort().join(' || ');
}

/**
 * One rule per agent namespace: a ServiceAccount of any governed namespace that asks for a pod (or
 * pod template) running as an agent of this namespace must be that agent, or an agent that declares
 * `spawns()` for it. Controllers, people and CI (not ServiceAccounts of governed namespaces) are not
 * judged by that part. And, failing closed, every pod of the namespace, whoever asks, runs as one of
 * its declared agents or is one of its declared workloads by label: a pod as `default` or as a new
 * ServiceAccount would otherwise be no agent at all, outside every per-agent control. The rule names only this namespace's agents and the agents that may start them, so
 * its CEL stays small however many agents the cluster has (the API server caps an expression at
 * 100,000 code points; listing every agent broke at a few hundred).
 */
function spawnRule(model: PolicyModel, namespace: string): AdmissionRule {
  const here = model.agents.filter((a) => a.namespace === namespace);
  const mayStartHere = (a: AgentModel): string[] => [a, ...a.spawns.map((n) => model.agents.find((x) => x.name === n))]
    .filter((x): x is AgentModel => x !== undefined && x.namespace === namespace).map(identityOf).sort();
  const starters = model.agents.filter((a) => mayStartHere(a).length > 0);
  const may = starters.map((a) => [usernameOf(a), list(mayStartHere(a))] as const);
  const names = here.map((a) => [identityOf(a), lit(a.name)] as const);
  return {
    name: `palisade-agent-spawn-${namespace}`, rule: 'admission:spawn', sources: here.map((a) => a.source.path).sort(),
    operations: ['CREATE', 'UPDATE'], resources: WORKLOAD_RESOURCES, matchConditions: [],
    // Variables may use the ones before them.
    variables: [
      { name: 'podSpec', expression: POD_SPEC },
      { name: 'target', expression: `request.namespace + '/' + ${serviceAccountOf('variables.podSpec')}` },
      { name: 'mayStart', expression: mapOf(may) },
      { name: 'agentOf', expression: mapOf(names) },
      { name: 'podLabels', expression: POD_LABELS },
      { name: 'governedRequester', expression: governedRequester(model) },
    ],
    validations: [
      {
        expression: '!variables.governedRequester || !(variables.target in variables.agentOf) || (request.userInfo.username in variables.mayStart && variables.target in variables.mayStart[request.userInfo.username])',
        messageExpression: "request.userInfo.username + ' may not start pods as agent ' + variables.agentOf[variables.target] + ' (ServiceAccount ' + variables.target + '): declare spawns() for it in the starting agent\\'s policy'",
      },
      {
        expression: `variables.target in variables.agentOf || ${declaredLabels(model, namespace)}`,
        messageExpression: `'pods in agent namespace ${namespace} run as one of its agents (' + ${lit(here.map((a) => a.serviceAccount).sort().join(', '))} + '); ' + variables.target + ' is none: declare it as an Agent in policies/ or run it outside agent namespaces'`,
      },
    ],
    namespaces: [namespace],
  };
}

/** A request made by a ServiceAccount of a governed namespace (an agent, an endpoint, a namespace's `default`). */
function governedRequester(model: PolicyModel): string {
  const governed = [...new Set([...model.agents, ...model.endpoints].map((w) => w.namespace))].sort();
  // Namespace names hold no ':', so the prefix names exactly the ServiceAccounts of that namespace.
  return `${list(governed)}.exists(n, request.userInfo.username.startsWith('system:serviceaccount:' + n + ':'))`;
}

/**
 * No workload runs code in a pod of an agent namespace: exec, attach, port-forward and debug
 * containers are denied to every ServiceAccount of a governed namespace (one agent would otherwise
 * act as another, with its identity and reach, which spawns() never declared). People and CI are
 * left to their RBAC.
 */
function podEntryRule(model: PolicyModel): AdmissionRule {
  return {
    name: 'palisade-agent-pod-entry', rule: 'admission:pod-entry', sources: ['(guardrail)'],
    operations: ['CONNECT', 'UPDATE'], resources: POD_ENTRY, matchConditions: [],
    variables: [{ name: 'governedRequester', expression: governedRequester(model) }],
    validations: [{
      expression: '!variables.governedRequester',
      messageExpression: "request.userInfo.username + ' may not use pods/' + request.subResource + ' on ' + request.namespace + '/' + request.name + ': workloads of governed namespaces never run code in an agent\\'s pod'",
    }],
  };
}

export function identityRules(model: PolicyModel): AdmissionRule[] {
  const namespaces = [...new Set(model.agents.map((a) => a.namespace))].sort();
  return [...model.agents.map(bindingRule), ...namespaces.map((ns) => spawnRule(model, ns)), ...(namespaces.length > 0 ? [podEntryRule(model)] : [])];
}
