import type { KubeObject } from '../core/resource-id.js';
import { LABELS, MANAGED_BY_VALUE } from '../core/labels.js';
import { resourceOf } from './rbac.js';
import { enforcedClusterKinds, enforcedKinds, grantedPerNamespace } from '../core/kinds.js';
import type { AdmissionBackend, NetworkBackend } from '../cluster/cluster-spec.js';

/** In-cluster deployment of `palisade reconcile --watch` for one cluster. */
export interface ReconcilerDeploymentProps {
  readonly cluster: string;
  /** Git repository the reconciler reads. */
  readonly gitUrl: string;
  /** @default 'main' */
  readonly ref?: string;
  /**
   * The reviewed commit (full SHA) the cluster's first revision is judged from, when the cluster
   * has no applied revision recorded yet; ignored once one is. Without it a new cluster waits.
   */
  readonly trustRevision?: string;
  /** @default 'ghcr.io/palisade-dev/palisade:0.1.0' */
  readonly image?: string;
  /** @default 2 (one leader, one standby) */
  readonly replicas?: number;
  /** Objects the reconciler will manage (their kinds get RBAC). */
  readonly managed: readonly KubeObject[];
  /** The cluster's backends: the kinds they enforce are listed, watched and (when foreign) removed in governed namespaces. */
  readonly backends: { readonly network: NetworkBackend; readonly admission: AdmissionBackend; readonly clusterNetworkPolicy?: boolean };
}

export const SYSTEM_NAMESPACE = 'palisade-system';
export const RECONCILER_NAME = 'palisade-reconciler';
const NAME = RECONCILER_NAME;
const OBJECTS_ROLE = `${NAME}-objects`;

const labels = { [LABELS.managedBy]: MANAGED_BY_VALUE, 'app.kubernetes.io/name': NAME };
const meta = (name: string, namespace?: string): KubeObject['metadata'] => ({ name, ...(namespace ? { namespace } : {}), labels });

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One rule per API group, with every verb, for the kinds of `objs` (kinds not in the kind table get none). */
function rulesFor(objs: ReadonlyArray<Pick<KubeObject, 'apiVersion' | 'kind'>>, extra: ReadonlyArray<{ group: string; resource: string }> = []): Array<Record<string, unknown>> {
  const byGroup = new Map<string, Set<string>>();
  for (const r of [...objs.map((o) => resourceOf(o.apiVersion, o.kind)), ...extra]) if (r) byGroup.set(r.group, (byGroup.get(r.group) ?? new Set()).add(r.resource));
  return [...byGroup.entries()].sort(([a], [b]) => byName(a, b)).map(([group, res]) => ({ apiGroups: [group], resources: [...res].sort(), verbs: ALL_VERBS }));
}

/** ClusterRole limited to the kinds palisade manages, plus what watch mode needs (events; foreign VAP bindings and Kyverno PolicyExceptions). */
function clusterRole(managed: readonly KubeObject[], backends: ReconcilerDeploymentProps['backends']): KubeObject {
  const kinds = [...managed, ...enforcedKinds(backends), ...enforcedClusterKinds(backends)].filter((o) => !grantedPerNamespace(o.apiVersion, o.kind));
  const extra = [
    { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicybindings' },
    // Foreign Kyverno PolicyExceptions naming palisade's policies are drift: watch and remove them.
    ...(managed.some((o) => o.apiVersion === 'policies.kyverno.io/v1') ? [{ group: 'policies.kyverno.io', resource: 'policyexceptions' }] : []),
  ];
  const rules = [
    ...rulesFor(kinds, extra),
    // Events: recorded on corrections and fights; listed to report recent fights as drift.
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'list'] },
    // The API server's admission counters: writes the protection policy denied (blocked tampers).
    { nonResourceURLs: ['/metrics'], verbs: ['get'] },
  ];
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(NAME), rules };
}

/**
 * The namespace, a Role and a RoleBinding for each namespace holding desired objects of a kind granted
 * per namespace (ConfigMaps): the reconciler can read and write them there and nowhere else.
 */
function namespaceGrants(managed: readonly KubeObject[], subject: readonly object[]): KubeObject[] {
  const scoped = managed.filter((o) => o.metadata.namespace !== undefined && grantedPerNamespace(o.apiVersion, o.kind));
  const namespaces = [...new Set(scoped.map((o) => o.metadata.namespace!))].sort(byName);
  // The namespace itself comes first: these manifests are applied before palisade's first pass creates it.
  return namespaces.flatMap((ns) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(OBJECTS_ROLE, ns), rules: rulesFor(scoped.filter((o) => o.metadata.namespace === ns)) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(OBJECTS_ROLE, ns), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OBJECTS_ROLE }, subjects: subject },
  ]);
}

function deployment(p: ReconcilerDeploymentProps): KubeObject {
  const args = ['reconcile', '--watch', '--cluster', p.cluster, '--git', p.gitUrl, '--ref', p.ref ?? 'main', ...(p.trustRevision ? ['--trust-revision', p.trustRevision] : []), '--listen', '0.0.0.0:9090'];
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(NAME, SYSTEM_NAMESPACE),
    spec: {
      replicas: p.replicas ?? 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'reconciler', image: p.image ?? 'ghcr.io/palisade-dev/palisade:0.1.0', args,
            ports: [{ name: 'metrics', containerPort: 9090 }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            // Git checkouts go under /app/.palisade so policies resolve the image's node_modules.
            volumeMounts: [{ name: 'work', mountPath: '/app/.palisade' }],
            workingDir: '/app',
          }],
          volumes: [{ name: 'work', emptyDir: {} }],
        },
      },
    },
  };
}

/**
 * Namespace, ServiceAccount, least-privilege ClusterRole and binding, a Role for the Lease and the
 * inventory ConfigMap, a Role per namespace for kinds granted per namespace, the Deployment, and a
 * Service for metrics.
 */
export function reconcilerManifests(p: ReconcilerDeploymentProps): KubeObject[] {
  const subject = [{ kind: 'ServiceAccount', name: NAME, namespace: SYSTEM_NAMESPACE }];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(SYSTEM_NAMESPACE) },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAME, SYSTEM_NAMESPACE) },
    clusterRole(p.managed, p.backends),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(NAME), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME }, subjects: subject },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(NAME, SYSTEM_NAMESPACE),
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update', 'patch'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(NAME, SYSTEM_NAMESPACE), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME }, subjects: subject },
    ...namespaceGrants(p.managed, subject),
    deployment(p),
    { apiVersion: 'v1', kind: 'Service', metadata: meta(NAME, SYSTEM_NAMESPACE), spec: { selector: { 'app.kubernetes.io/name': NAME }, ports: [{ name: 'metrics', port: 9090, targetPort: 'metrics' }] } },
  ];
}
