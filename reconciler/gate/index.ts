/** Gates a revision must pass before the reconciler applies it. */
export { describeProbeFailures, probeVerdicts } from './probes.js';
export { appliedOf, describeSignatureRefusal, signaturesAdmit, verifyForCluster } from './signatures.js';
