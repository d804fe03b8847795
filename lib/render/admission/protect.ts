import { k8s } from 'cdk8s-plus-33';
import type { ClusterSpec, ProtectSpec } from '../../cluster/cluster-spec.js';
import { enforcedKinds, KINDS } from '../../core/kinds.js';
import { LABELS, MANAGED_BY_VALUE } from '../../core/labels.js';
import { PROTECT_RULE, protectPolicyName } from '../../core/order.js';
import { RECONCILER_NAME, SYSTEM_NAMESPACE } from '../../deploy/reconciler-manifests.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { list, lit } from './cel.js';


/**
 * Controllers that must keep working in governed namespaces: the namespace controller and the
 * garbage collector delete the objects of a namespace palisade prunes (as their ServiceAccounts
 * with --use-service-account-credentials, else as kube-controller-manager).
 */
const CONTROL_PLANE = ['system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccount:kube-system:generic-garbage-collector', 'system:kube-controller-manager'];

/** The identity that applies palisade's output: the reconciler, or the GitOps engine syncing the cluster. */
function syncIdentity(cluster: ClusterSpec): string {
  const engine = cluster.syncedBy?.engine ?? 'palisade';
  switch (engine) {
    case 'palisade': return `system:serviceaccount:${SYSTEM_NAMESPACE}:${RECONCILER_NAME}`;
    case 'argocd': return `system:serviceaccount:${cluster.syncedBy?.namespace ?? 'argocd'}:argocd-application-controller`;
    case 'flux': return `system:serviceaccount:${cluster.syncedBy?.namespace ?? 'flux-system'}:kustomize-controller`;
  }
}


/** `o` carries palisade's managed-by label for this cluster (only trusted identities can write those labels here). */
const managedBy = (o: string, cluster: string): string =>
  `(${o} != null && has(${o}.metadata.labels) && ${lit(LABELS.managedBy)} in ${o}.metadata.labels && ${o}.metadata.labels[${lit(LABELS.managedBy)}] == ${lit(MANAGED_BY_VALUE)} && ${lit(LABELS.cluster)} in ${o}.metadata.labels && ${o}.metadata.labels[${lit(LABELS.cluster)}] == ${lit(cluster)})`;

/** `o` (a pod) carries the quarantine label set to true. */
const quarantined = (o: string): string =>
  `(${o} != null && has(${o}.metadata.labels) && ${lit(LABELS.quarantine)} in ${o}.metadata.labels && ${o}.metadata.labels[${lit(LABELS.quarantine)}] == 'true')`;

/** A pod update that lifts a quarantine: the old pod carries the label, the new one does not. */
const LIFTS_QUARANTINE = `request.resource.group == '' && request.resource.resource == 'pods' && request.operation == 'UPDATE' && ${quarantined('oldObject')} && !${quarantined('object')}`;

function resourcesOf(cluster: ClusterSpec): { all: k8s.NamedRuleWithOperations[]; enforced: string[] } {
  const enforced = enforcedKinds(cluster);
  // A Kyverno PolicyException weakens admission: only trusted identities may add one in a governed namespace.
  const exceptions = cluster.admission === 'kyverno' ? KINDS.filter((s) => s.kind === 'PolicyException') : [];
  const groups = [...new Set(KINDS.map((s) => s.group))].sort();
  const all = groups.map((g) => ({
    apiGroups: [g], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'],
    resources: [...new Set(KINDS.filter((s) => s.group === g).map((s) => s.resource))].sort(),
  }));
  // Pods: only so that a quarantine label cannot be lifted by whoever may patch pods (the quarantined agent included).
  const pods = { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods'] };
  return { all: [...all, pods], enforced: [...new Set([...enforced, ...exceptions].map((s) => `${s.group}/${s.resource}`))].sort() };
}

function message(cluster: ClusterSpec, p: ProtectSpec): string {
  const where = p.repository ? `in Git (${p.repository})` : 'in Git';
  return `'palisade protects ' + request.resource.resource + ' ' + (request.namespace != '' ? request.namespace + '/' : '') + request.name + ${lit(` on cluster ${cluster.name}: change the policies ${where} and let palisade apply them; in an emergency a member of group ${p.breakGlassGroup} may change it (README: Responding to incidents)`)}`;
}


/**
 * Drift prevented at admission: denies CREATE, UPDATE and DELETE of the objects palisade manages on
 * this cluster, CREATE/UPDATE of the policy kinds the cluster enforces inside its governed
 * namespaces, and an update that removes a pod's quarantine label, unless the request comes from
 * the sync identity, a trusted user or group, or the break-glass group. The binding selects the cluster's governed namespaces (their labels are
 * protected too); cluster-scoped objects are judged by their own (protected) labels.
 */
export function renderProtection(ctx: RenderContext): void {
  const p = ctx.cluster.protect;
  if (p === undefined || p === false) return;
  const name = protectPolicyName(ctx.cluster.name);
  const users = [syncIdentity(ctx.cluster), ...CONTROL_PLANE, ...p.users];
  const groups = [...p.groups, p.breakGlassGroup];
  const { all, enforced } = resourcesOf(ctx.cluster);
  const trace = { sources: [`clusters/${ctx.cluster.name}/cluster.yaml`], rule: PROTECT_RULE };
  new k8s.KubeValidatingAdmissionPolicy(ctx.chart, objectId('vap', name), {
    metadata: meta(ctx, name, undefined, trace),
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: all },
      variables: [
        { name: 'trusted', expression: `request.userInfo.username in ${list(users)} || request.userInfo.groups.exists(g, g in ${list(groups)})` },
        { name: 'managed', expression: `${managedBy('object', ctx.cluster.name)} || ${managedBy('oldObject', ctx.cluster.name)}` },
        { name: 'enforced', expression: `request.namespace != '' && request.operation != 'DELETE' && (request.resource.group + '/' + request.resource.resource) in ${list(enforced)}` },
      ],
      validations: [
        { expression: 'variables.trusted || !(variables.managed || variables.enforced)', messageExpression: message(ctx.cluster, p), reason: 'Forbidden' },
        {
          expression: `variables.trusted || !(${LIFTS_QUARANTINE})`,
          messageExpression: `${lit(`pod is quarantined (${LABELS.quarantine}=true) on cluster ${ctx.cluster.name}: only the sync identity, trusted users and groups and group ${p.breakGlassGroup} may lift it; `)} + request.userInfo.username + ' may not'`,
          reason: 'Forbidden',
        },
      ],
    },
  });
  new k8s.KubeValidatingAdmissionPolicyBinding(ctx.chart, objectId('vapb', name), {
    metadata: meta(ctx, name, undefined, trace),
    spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { [LABELS.cluster]: ctx.cluster.name } } } },
  });
}
