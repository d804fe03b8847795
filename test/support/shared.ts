import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` beside the repository (upstream CRDs and oracles), or `PALISADE_SHARED_DIR`. */
export const SHARED_DIR = process.env['PALISADE_SHARED_DIR'] ?? resolve(REPO_ROOT, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  const p = join(SHARED_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`missing ${p}: the test suite needs ../shared beside the repository (or PALISADE_SHARED_DIR)`);
  return p;
}

export const HAS_SHARED = existsSync(join(SHARED_DIR, 'crds'));

/** Without ../shared (a user's clone, GitHub), the exact upstream copies vendored in lib/schemas/crds. */
function vendoredCrdFiles(): string[] {
  const v = (...p: string[]): string => join(REPO_ROOT, 'lib', 'schemas', 'crds', ...p);
  return [
    v('cilium', 'ciliumnetworkpolicies.yaml'), v('cilium', 'ciliumclusterwidenetworkpolicies.yaml'),
    ...['networkpolicies', 'globalnetworkpolicies', 'tiers', 'globalnetworksets'].map((k) => v('calico', `projectcalico.org_${k}.yaml`)),
    v('tetragon', 'cilium.io_tracingpoliciesnamespaced.yaml'),
    v('network-policy-api', 'standard', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'),
    v('kyverno', 'policies.kyverno.io_validatingpolicies.yaml'), v('kyverno', 'policies.kyverno.io_imagevalidatingpolicies.yaml'),
  ];
}

/** Upstream CRDs installed into the test API server so it validates what palisade emits. */
export function upstreamCrdFiles(): string[] {
  if (!HAS_SHARED) return vendoredCrdFiles();
  const c = (...p: string[]): string => sharedPath('crds', ...p);
  const calico = ['networkpolicies', 'globalnetworkpolicies', 'networksets', 'globalnetworksets', 'tiers', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies', 'stagedkubernetesnetworkpolicies'];
  return [
    c('cilium', 'main-2c59ba7', 'ciliumnetworkpolicies.yaml'),
    c('cilium', 'main-2c59ba7', 'ciliumclusterwidenetworkpolicies.yaml'),
    c('cilium', 'main-2c59ba7', 'ciliumcidrgroups.yaml'),
    ...calico.map((k) => c('calico', 'v3.32.1', 'api-config-crd-v3', `projectcalico.org_${k}.yaml`)),
    c('tetragon', 'v1.7.0', 'cilium.io_tracingpolicies.yaml'),
    c('tetragon', 'v1.7.0', 'cilium.io_tracingpoliciesnamespaced.yaml'),
    c('network-policy-api', 'v0.2.0', 'standard', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'),
    ...['validatingpolicies', 'imagevalidatingpolicies', 'namespacedvalidatingpolicies', 'namespacedimagevalidatingpolicies', 'policyexceptions']
      .map((k) => c('kyverno', 'v1.19.0', 'policies.kyverno.io', `policies.kyverno.io_${k}.yaml`)),
    c('argo-cd', 'main-37ee009', 'application-crd.yaml'),
    c('argo-cd', 'main-37ee009', 'applicationset-crd.yaml'),
    c('argo-cd', 'main-37ee009', 'appproject-crd.yaml'),
    c('flux', 'source-controller-39b711b', 'source.toolkit.fluxcd.io_gitrepositories.yaml'),
    c('flux', 'kustomize-controller-186fb3b', 'kustomize.toolkit.fluxcd.io_kustomizations.yaml'),
  ];
}
