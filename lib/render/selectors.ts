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

/** True when an IPv4 CIDR contains 169.254.169.254. */
export const containsCloudMetadata = (cidr: string): boolean => cidrContains(cidr, CLOUD_METADATA_CIDR);

export function portLabel(p: PortSpec): string {
  return `${p.protocol} ${p.port}${p.endPort === undefined ? '' : `-${p.endPort}`}`;
}
