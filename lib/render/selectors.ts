import type { PortSpec } from '../model/model.js';
import { sortedLabels } from './topology.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** Selects a workload's pods, never quarantined ones: quarantine works by making every allow stop applying. */
export function workloadSelector(podLabels: Readonly<Record<string, string>>, quarantineLabel: string): LabelSelector {
  return { matchLabels: sortedLabels(podLabels), matchExpressions: [{ key: quarantineLabel, operator: 'NotIn', values: ['true'] }] };
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const CLOUD_METADATA_CIDR = '169.254.169.254/32';

/**
 * Cloud metadata and credential endpoints pods must not reach (IPv4): the instance metadata
 * service of AWS, GCP, Azure and others (169.254.169.254), ECS task metadata (169.254.170.2), EKS
 * Pod Identity (169.254.170.23) and Alibaba Cloud (100.100.100.200).
 */
export const CLOUD_METADATA_CIDRS: readonly string[] = ['100.100.100.200/32', CLOUD_METADATA_CIDR, '169.254.170.2/32', '169.254.170.23/32'];

/** The same over IPv6: AWS's IPv6 instance metadata and EKS Pod Identity (fd00:ec2::254, fd00:ec2::23). */
export const CLOUD_METADATA_CIDRS_V6: readonly string[] = ['fd00:ec2::23/128', 'fd00:ec2::254/128'];

/**
 * What the explicit metadata denies name (Cilium egressDeny, ClusterNetworkPolicy): both families,
 * because DNS-name and entity allows can reach IPv6 addresses. Plain NetworkPolicy and palisade's
 * Calico tier are allow-lists of IPv4 ranges ending in a deny, so IPv6 metadata is never allowed there.
 */
export const CLOUD_METADATA_DENY: readonly string[] = [...CLOUD_METADATA_CIDRS, ...CLOUD_METADATA_CIDRS_V6];

function parseCidr(cidr: string): { start: number; size: number } {
  const [ip = '0.0.0.0', mask = '32'] = cidr.split('/');
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(mask));
  return { start: Math.floor(n / size) * size, size };
}

/** True when IPv4 CIDR `outer` contains all of `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return i.start >= o.start && i.start + i.size <= o.start + o.size;
}

/** The metadata endpoints an IPv4 CIDR contains (other than being one of them). */
export const metadataInside = (cidr: string): string[] => CLOUD_METADATA_CIDRS.filter((m) => m !== cidr && cidrContains(cidr, m));

export function portLabel(p: PortSpec): string {
  return `${p.protocol} ${p.port}${p.endPort === undefined ? '' : `-${p.endPort}`}`;
}
