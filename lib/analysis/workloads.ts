import { parseProtocol } from './connections.js';
import type { SourcedObject } from './inputs.js';
import type { Labels } from './label-selector.js';
import { get, str, type Obj } from './policies/common.js';
import { workloadId, type ContainerPort, type Workload } from './topology.js';

const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'DaemonSet', 'Job']);

function labelsOf(v: unknown): Labels {
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v as Obj).map(([k, val]) => [k, String(val)]));
}

export function namespaceOf(obj: Obj): string {
  const ns = get(obj, 'metadata', 'namespace');
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

function containerPorts(podSpec: unknown): ContainerPort[] {
  const containers = [...((get(podSpec, 'containers') as unknown[]) ?? []), ...((get(podSpec, 'initContainers') as unknown[]) ?? [])];
  return containers.flatMap((c) =>
    ((get(c, 'ports') as unknown[]) ?? []).flatMap((p): ContainerPort[] => {
      const port = Number(get(p, 'containerPort'));
      const protocol = parseProtocol(get(p, 'protocol'));
      const name = get(p, 'name');
      if (!Number.isInteger(port) || protocol === undefined) return [];
      return [{ port, protocol, ...(typeof name === 'string' ? { name } : {}) }];
    }),
  );
}

/** The ServiceAccount a pod spec runs as, defaulted as the API server does. */
function serviceAccountOf(podSpec: unknown): string {
  const name = get(podSpec, 'serviceAccountName') ?? get(podSpec, 'serviceAccount');
  return typeof name === 'string' && name !== '' ? name : 'default';
}

/** Owner kinds that stand for their pods, as netpol-analyzer groups them. */
const CONTROLLER_KINDS: ReadonlySet<string> = new Set(['ReplicaSet', 'ReplicationController', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

interface PodShape {
  readonly kind: string;
  readonly name: string;
  readonly labels: Labels;
  readonly podSpec: unknown;
}

/**
 * A pod stands for its workload controller (or for an owner of no kind, as netpol-analyzer reads
 * it); a pod with no owner, or owned by something else (a static pod's Node), stands for itself.
 */
function podShape(obj: Obj, name: string): PodShape {
  const owners = (get(obj, 'metadata', 'ownerReferences') as Obj[] | undefined) ?? [];
  const owner = owners.find((o) => o['controller'] === true) ?? owners[0];
  const ownerKind = owner === undefined ? undefined : typeof owner['kind'] === 'string' ? owner['kind'] : 'Pod';
  const grouped = ownerKind !== undefined && (ownerKind === 'Pod' || CONTROLLER_KINDS.has(ownerKind));
  return { kind: grouped ? ownerKind : 'Pod', name: grouped ? String(owner?.['name']) : name, labels: labelsOf(get(obj, 'metadata', 'labels')), podSpec: obj['spec'] };
}

function shapeOf(obj: Obj): PodShape | undefined {
  const kind = str(obj['kind']);
  const name = str(get(obj, 'metadata', 'name'));
  if (kind === 'Pod') return podShape(obj, name);
  if (TEMPLATE_KINDS.has(kind)) return { kind, name, labels: labelsOf(get(obj, 'spec', 'template', 'metadata', 'labels')), podSpec: get(obj, 'spec', 'template', 'spec') };
  if (kind === 'CronJob') return { kind, name, labels: labelsOf(get(obj, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels')), podSpec: get(obj, 'spec', 'jobTemplate', 'spec', 'template', 'spec') };
  return undefined;
}

/** Namespace labels by name, including `kubernetes.io/metadata.name` as the API server sets it. */
export function namespaceLabels(objects: readonly SourcedObject[]): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const { object } of objects) {
    if (object['kind'] !== 'Namespace') continue;
    const name = str(get(object, 'metadata', 'name'));
    out.set(name, { ...labelsOf(get(object, 'metadata', 'labels')), 'kubernetes.io/metadata.name': name });
  }
  return out;
}

/** One workload per owner (the first object seen wins), sorted by id. */
export function workloadsOf(objects: readonly SourcedObject[], nsLabels: ReadonlyMap<string, Labels>): Workload[] {
  const byId = new Map<string, Workload>();
  for (const { object, source } of objects) {
    const shape = shapeOf(object);
    if (shape === undefined || shape.name === '') continue;
    const namespace = namespaceOf(object);
    const id = workloadId(namespace, shape.name, shape.kind);
    if (byId.has(id)) continue;
    byId.set(id, {
      type: 'workload', id, namespace, name: shape.name, kind: shape.kind, labels: shape.labels, serviceAccount: serviceAccountOf(shape.podSpec),
      nsLabels: nsLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
      ports: containerPorts(shape.podSpec), source,
    });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
