import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `../shared` beside the repository, or `PALISADE_SHARED_DIR`: an optional cross-check of the
 * vendored copies (upstream.test.ts), never an input of a test. A user's clone has none.
 */
export const SHARED_DIR = process.env['PALISADE_SHARED_DIR'] ?? resolve(REPO_ROOT, '..', 'shared');

/** The trees of exact upstream copies kept in this repository, each with SOURCES.txt and SHA256SUMS. */
export const VENDORED_CRD_TREES = [join(REPO_ROOT, 'lib', 'schemas', 'crds'), join(REPO_ROOT, 'test', 'upstream', 'crds')] as const;

const lib = (...p: string[]): string => join(VENDORED_CRD_TREES[0], ...p);
const test = (...p: string[]): string => join(VENDORED_CRD_TREES[1], ...p);

/** Upstream CRDs installed into the test API server so it validates what palisade emits. */
export function upstreamCrdFiles(): string[] {
  const calico = (k: string): string => `projectcalico.org_${k}.yaml`;
  const kyverno = (k: string): string => `policies.kyverno.io_${k}.yaml`;
  return [
    lib('cilium', 'ciliumnetworkpolicies.yaml'), lib('cilium', 'ciliumclusterwidenetworkpolicies.yaml'),
    test('cilium', 'main-2c59ba7', 'ciliumcidrgroups.yaml'),
    ...['networkpolicies', 'globalnetworkpolicies', 'tiers', 'globalnetworksets'].map((k) => lib('calico', calico(k))),
    ...['networksets', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies', 'stagedkubernetesnetworkpolicies'].map((k) => test('calico', 'v3.32.1', 'api-config-crd-v3', calico(k))),
    test('tetragon', 'v1.7.0', 'cilium.io_tracingpolicies.yaml'), lib('tetragon', 'cilium.io_tracingpoliciesnamespaced.yaml'),
    lib('network-policy-api', 'standard', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'),
    ...['validatingpolicies', 'imagevalidatingpolicies'].map((k) => lib('kyverno', kyverno(k))),
    ...['namespacedvalidatingpolicies', 'namespacedimagevalidatingpolicies', 'policyexceptions'].map((k) => test('kyverno', 'v1.19.0', 'policies.kyverno.io', kyverno(k))),
    ...['application-crd', 'applicationset-crd', 'appproject-crd'].map((k) => test('argo-cd', 'main-37ee009', `${k}.yaml`)),
    test('flux', 'source-controller-39b711b', 'source.toolkit.fluxcd.io_gitrepositories.yaml'),
    test('flux', 'kustomize-controller-186fb3b', 'kustomize.toolkit.fluxcd.io_kustomizations.yaml'),
  ];
}

/** Whether ../shared/crds is there to cross-check against. */
export const HAS_SHARED_CRDS = existsSync(join(SHARED_DIR, 'crds'));
