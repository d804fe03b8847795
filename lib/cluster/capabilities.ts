import { assertNever } from '../core/assert.js';
import type { ClusterSpec } from './cluster-spec.js';

/** What a cluster's backends can enforce, so policies can choose explicitly (never a silent drop). */
export interface Capabilities {
  /** Egress by DNS name (Cilium toFQDNs). */
  readonly fqdnEgress: boolean;
  /** HTTP method/path rules on egress (Cilium + Envoy). */
  readonly l7Egress: boolean;
  /** Exec allow-lists and binary-drift rules (Tetragon). */
  readonly runtimeEnforcement: boolean;
  /** Image signature verification at admission (Kyverno ImageValidatingPolicy). */
  readonly imageSignatures: boolean;
}

export function capabilitiesOf(cluster: ClusterSpec): Capabilities {
  const network = ((): Pick<Capabilities, 'fqdnEgress' | 'l7Egress'> => {
    switch (cluster.network) {
      case 'cilium': return { fqdnEgress: true, l7Egress: true };
      case 'calico':
      case 'kubernetes': return { fqdnEgress: false, l7Egress: false };
      default: return assertNever(cluster.network, 'network backend');
    }
  })();
  return { ...network, runtimeEnforcement: cluster.runtime === 'tetragon', imageSignatures: cluster.admission === 'kyverno' };
}
