/** Gates a revision must pass before the reconciler applies it (see admit.ts for the order and the applied revision). */
export { describeProbeFailures, probeVerdicts } from './probes.js';
export { admitRange, appliedOf, baselineOf, describeSignatureRefusal, gateCluster, isCommit, isRefusal, parseTrustRevision, REFUSAL_METRIC, reviewsOf, type Gated, type RangeAdmission, type RefusalReason, type Refusal, type TrustOptions } from './admit.js';
export { digestRefusal, headMessage } from './digest.js';
