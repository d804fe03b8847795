import type { Interval } from './intervals.js';
import { formatRange } from './ip.js';
import type { Labels } from './label-selector.js';
import type { Protocol } from './connections.js';

/** A container port a workload declares (for named-port resolution). */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** A set of pods with one owner and one label set, e.g. `backend/checkout[Deployment]`. */
export interface Workload {
  readonly type: 'workload';
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly labels: Labels;
  /** The ServiceAccount its pods run as (`default` when the pod spec names none). */
  readonly serviceAccount: string;
  readonly nsLabels: Labels;
  readonly ports: readonly ContainerPort[];
  /** Where the workload was declared. */
  readonly source: string;
}

/** An elementary IPv4 range outside the cluster. */
export interface IpPeer {
  readonly type: 'ip';
  readonly id: string;
  readonly range: Interval;
  /** Which direction's ipBlocks split the space into this range. */
  readonly side?: 'ingress' | 'egress';
}

/** A DNS name or `*.` pattern that a DNS-aware policy names. Its IPs are unknown. */
export interface DnsPeer {
  readonly type: 'dns';
  readonly id: string;
  readonly name: string;
}

/** Cluster entities Cilium gives reserved identities: not pods, not `world` (node IPs and the API server). */
export const CLUSTER_ENTITIES = ['host', 'remote-node', 'kube-apiserver'] as const;
export type ClusterEntity = (typeof CLUSTER_ENTITIES)[number];

/** The local node (kubelet, hostNetwork pods), other nodes, or the kube-apiserver. */
export interface EntityPeer {
  readonly type: 'entity';
  readonly id: string;
  readonly entity: ClusterEntity;
}

export function entityPeer(entity: ClusterEntity): EntityPeer {
  return { type: 'entity', id: `{${entity}}`, entity };
}

/** The cluster's ingress controller, reaching workloads exposed by Ingress/Route objects. */
export interface IngressControllerPeer {
  readonly type: 'ingress-controller';
  readonly id: '{ingress-controller}';
}

export type Peer = Workload | IpPeer | DnsPeer | EntityPeer | IngressControllerPeer;

export function workloadId(namespace: string, name: string, kind: string): string {
  return `${namespace}/${name}[${kind}]`;
}

export function ipPeer(range: Interval): IpPeer {
  return { type: 'ip', id: `${formatRange(range)}[External]`, range };
}

export function dnsPeer(name: string): DnsPeer {
  return { type: 'dns', id: `${name}[DNS]`, name };
}

export const INGRESS_CONTROLLER: IngressControllerPeer = { type: 'ingress-controller', id: '{ingress-controller}' };

/** Labels of the namespace netpol-analyzer places the ingress controller in (matches only empty selectors). */
export const INGRESS_CONTROLLER_NS_LABELS: Labels = {};
