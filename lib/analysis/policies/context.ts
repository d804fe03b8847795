import type { IntervalList } from '../intervals.js';
import type { Direction, LayerKey } from '../ir.js';

/** Collects what translators discover besides policies: IP sets, DNS names, warnings. */
export interface TranslateContext {
  /** Where Kubernetes NetworkPolicies go: the default tier, or the union layer on Cilium. */
  readonly networkPolicyLayer: LayerKey;
  noteIpSet(set: IntervalList, dir: Direction): void;
  noteDns(name: string): void;
  warn(message: string): void;
}
