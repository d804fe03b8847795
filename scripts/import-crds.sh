#!/usr/bin/env bash
# Regenerates lib/imports/ (typed cdk8s classes) from the vendored upstream CRDs in lib/schemas/crds/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDK8S_CHECK_UPGRADE=false
C=lib/schemas/crds
rm -rf lib/imports && mkdir -p lib/imports
imp() { npx cdk8s import "$1:=$2" --language typescript --output lib/imports --no-save >/dev/null; }
imp cilium-cnp "$C/cilium/ciliumnetworkpolicies.yaml"
imp cilium-ccnp "$C/cilium/ciliumclusterwidenetworkpolicies.yaml"
imp calico-np "$C/calico/projectcalico.org_networkpolicies.yaml"
imp calico-gnp "$C/calico/projectcalico.org_globalnetworkpolicies.yaml"
imp calico-tier "$C/calico/projectcalico.org_tiers.yaml"
imp calico-gns "$C/calico/projectcalico.org_globalnetworksets.yaml"
imp tetragon "$C/tetragon/cilium.io_tracingpoliciesnamespaced.yaml"
imp cnp "$C/network-policy-api/standard/policy.networking.k8s.io_clusternetworkpolicies.yaml"
imp kyverno-vp "$C/kyverno/policies.kyverno.io_validatingpolicies.yaml"
imp kyverno-ivp "$C/kyverno/policies.kyverno.io_imagevalidatingpolicies.yaml"
ls lib/imports
