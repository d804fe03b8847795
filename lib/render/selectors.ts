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

/** True when an IPv4 CIDR contains 169.254.169.254. */
export function containsCloudMetadata(cidr: string): boolean {
  const [ip, maskText] = cidr.split('/');
  const toInt = (s: string): number => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = Number(maskText ?? '32');
  if (!ip) return false;
  const size = 2 ** (32 - mask);
  const start = Math.floor(toInt(ip) / size) * size;
  const md = toInt('169.254.169.254');
  return md >= start && md < start + size;
}

export function portLabel(p: PortSpec): string {
  return `${p.protocol} ${p.port}${p.endPort === undefined ? '' : `-${p.endPort}`}`;
}
