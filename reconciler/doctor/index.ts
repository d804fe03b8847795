/**
 * `palisade doctor`: checks a live cluster for the assumptions palisade's output depends on
 * (kinds served, Cilium version and identity-label filter, Calico tier order, Kyverno and
 * Tetragon running). Read-only: gathers facts, then judges them with pure checks.
 */
export { checksFor, ciliumSelectorKeys, judge, MIN_CILIUM, type CheckId, type ClusterFacts, type Finding } from './checks.js';
export { doctor, formatFindings, type DoctorReport } from './doctor.js';
export { gatherFacts } from './gather.js';
export { labelFilter, type LabelFilter } from './label-filter.js';
