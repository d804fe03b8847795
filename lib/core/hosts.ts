/**
 * palisade's host patterns, one reading for every backend: `api.example.com` is that name only,
 * `*.example.com` is exactly one more label (Cilium's matchPattern), `**.example.com` is one or
 * more labels (Cilium 1.19+: "a wildcard prefix (`**.`) … as opposed to just a single level").
 */
export type HostWildcard = 'none' | 'one-label' | 'labels';

export interface HostPattern {
  readonly wildcard: HostWildcard;
  /** The name under the wildcard (`example.com`), or the name itself. */
  readonly base: string;
}

export function hostPattern(host: string): HostPattern {
  if (host.startsWith('**.')) return { wildcard: 'labels', base: host.slice(3) };
  if (host.startsWith('*.')) return { wildcard: 'one-label', base: host.slice(2) };
  return { wildcard: 'none', base: host };
}

export const isWildcardHost = (host: string): boolean => hostPattern(host).wildcard !== 'none';
