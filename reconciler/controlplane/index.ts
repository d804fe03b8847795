/**
 * The embedded local control plane: etcd and kube-apiserver built from the Go module proxy at
 * pinned versions, cached per user, started on loopback with TLS, client certificates and RBAC.
 * Used by `palisade cluster`, `palisade demo` and the integration tests.
 */
export { ensureControlPlaneBinaries, ensureBinary, checkCachedBinary, cacheKey, type ControlPlaneBinaries, type EnsureBinariesOptions } from './binaries.js';
export { startControlPlane, stopControlPlane, restartApiserver, killApiserver, controlPlaneStatus, readState, type ControlPlaneState, type StartOptions, type ControlPlaneStatus, type ControlPlaneHealth } from './control-plane.js';
export { installCrds, readCrds } from './crds.js';
export { findGo, goModuleDir, wrapperGoMod } from './go-build.js';
export { cacheDir, stateDir, clusterDir } from './paths.js';
export { freePort, assertPortFree } from './ports.js';
export { isAlive } from './processes.js';
export { KUBERNETES_VERSION, ETCD_VERSION, kubeApiserverSpec, etcdSpec, actionlintSpec, netpolicySpec, kyvernoSpec, type GoBinarySpec } from './versions.js';
