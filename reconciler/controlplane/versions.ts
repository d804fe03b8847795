/**
 * Pinned versions of the local control plane. Changing a pin changes the cache key, so the
 * next run rebuilds exactly the binary that changed.
 */

/** How to build one binary from the Go module proxy through a generated wrapper module. */
export interface GoBinarySpec {
  /** Binary file name, e.g. `kube-apiserver`. */
  readonly name: string;
  /** Version shown to users and used as the cache key. */
  readonly version: string;
  /** Module to require in the wrapper `go.mod`, with its version. */
  readonly module: { readonly path: string; readonly version: string };
  /** Main package to build. */
  readonly pkg: string;
  /** `replace` lines (old => new) for modules whose own go.mod replaces are ignored by Go. */
  readonly replaces: ReadonlyArray<{ readonly from: string; readonly to: string; readonly version: string }>;
  /** `-X` link flags. */
  readonly linkVars: Readonly<Record<string, string>>;
  /**
   * Seed the wrapper's go.sum from the module's own go.sum, for modules whose dependencies
   * the checksum database does not list (their authors' go.sum is then the trust root).
   */
  readonly seedGoSum?: boolean;
  /**
   * palisade's own Go program (file name → content: go.mod, go.sum, *.go) that requires `module`,
   * built instead of a wrapper module, with its go.sum as committed (`-mod=readonly`). The content
   * is part of the cache key, so an edit rebuilds it.
   */
  readonly program?: Readonly<Record<string, string>>;
}

export const KUBERNETES_VERSION = '1.35.4';
/** The etcd minor that Kubernetes 1.35 ships with (k8s.io/kubernetes go.mod). */
export const ETCD_VERSION = '3.6.5';

/** k8s.io staging modules replaced by `./staging/...` in k8s.io/kubernetes' own go.mod. */
const STAGING_MODULES = [
  'api', 'apiextensions-apiserver', 'apimachinery', 'apiserver', 'cli-runtime', 'client-go',
  'cloud-provider', 'cluster-bootstrap', 'code-generator', 'component-base', 'component-helpers',
  'controller-manager', 'cri-api', 'cri-client', 'csi-translation-lib', 'dynamic-resource-allocation',
  'endpointslice', 'externaljwt', 'kms', 'kube-aggregator', 'kube-controller-manager', 'kube-proxy',
  'kube-scheduler', 'kubectl', 'kubelet', 'metrics', 'mount-utils', 'pod-security-admission',
  'sample-apiserver', 'sample-cli-plugin', 'sample-controller',
] as const;

function stagingVersion(k8sVersion: string): string {
  const [, minor, patch] = k8sVersion.split('.');
  return `v0.${minor ?? '0'}.${patch ?? '0'}`;
}

export function kubeApiserverSpec(version = KUBERNETES_VERSION): GoBinarySpec {
  const [major, minor] = version.split('.');
  return {
    name: 'kube-apiserver',
    version,
    module: { path: 'k8s.io/kubernetes', version: `v${version}` },
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    replaces: STAGING_MODULES.map((m) => ({ from: `k8s.io/${m}`, to: `k8s.io/${m}`, version: stagingVersion(version) })),
    linkVars: {
      'k8s.io/component-base/version.gitVersion': `v${version}`,
      'k8s.io/component-base/version.gitMajor': major ?? '1',
      'k8s.io/component-base/version.gitMinor': minor ?? '0',
    },
  };
}

/** A Go command built from one module at a version, with no replaces or link flags. */
function goTool(tool: { name: string; module: string; pkg: string; seedGoSum?: true }, version: string): GoBinarySpec {
  // Field order as before: the cache key hashes the spec's JSON.
  return { name: tool.name, version, module: { path: tool.module, version: `v${version}` }, pkg: tool.pkg, replaces: [], linkVars: {}, ...(tool.seedGoSum ? { seedGoSum: true } : {}) };
}

export function etcdSpec(version = ETCD_VERSION): GoBinarySpec {
  return goTool({ name: 'etcd', module: 'go.etcd.io/etcd/server/v3', pkg: 'go.etcd.io/etcd/server/v3' }, version);
}

/** actionlint, to check the GitHub workflows in the test suite (pinned; built like the control plane). */
export function actionlintSpec(version = '1.7.12'): GoBinarySpec {
  return goTool({ name: 'actionlint', module: 'github.com/rhysd/actionlint', pkg: 'github.com/rhysd/actionlint/cmd/actionlint' }, version);
}

/** netpolicy (np-guard/netpol-analyzer): the independent connectivity oracle used by tests and benchmarks. */
export function netpolicySpec(version = '1.4.4'): GoBinarySpec {
  return goTool({ name: 'netpolicy', module: 'github.com/np-guard/netpol-analyzer', pkg: 'github.com/np-guard/netpol-analyzer/cmd/netpolicy', seedGoSum: true }, version);
}

/**
 * The Kyverno CLI (`kubectl-kyverno`): the independent oracle for the synthesized Kyverno
 * ValidatingPolicies (it evaluates them offline, with admission userInfo). Kyverno's own go.mod
 * replaces pod-security-admission with its fork; Go ignores a dependency's replaces, so the wrapper
 * repeats it. Cold build on 2 cores: about 16 minutes and 3.2 GB peak RSS (385 MB binary).
 */
export function kyvernoSpec(version = '1.18.2'): GoBinarySpec {
  return {
    name: 'kyverno', version, module: { path: 'github.com/kyverno/kyverno', version: `v${version}` }, pkg: 'github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno',
    replaces: [{ from: 'k8s.io/pod-security-admission v0.34.1', to: 'github.com/kyverno/pod-security-admission', version: 'v0.0.0-20251031094455-46f20778634f' }],
    linkVars: {},
  };
}
