import { describe, expect, it } from 'vitest';
import { idOf, keyOf, type KubeObject } from '../../lib/core/resource-id.js';
import type { DesiredSet } from '../plan/types.js';
import { selectsGoverned } from './cluster-scope.js';

const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agents', labels: { 'palisade.dev/zone': 'inference' } } };
const desired: DesiredSet = {
  cluster: 'c', revision: 'r', objects: new Map([[keyOf(idOf(ns)), ns]]), governedNamespaces: ['agents'],
  admissionPolicies: [], kyvernoPolicies: [], enforcedKinds: [], enforcedClusterKinds: [],
};
const ccnp = (spec: unknown): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' }, spec });
const gnp = (spec: unknown): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'x' }, spec });
const cnp = (subject: unknown): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'x' }, spec: { subject } });

describe('a cluster-scoped policy selects a governed namespace unless it provably names others', () => {
  it.each([
    ['a CCNP selecting every endpoint', ccnp({ endpointSelector: {} }), true],
    ['a CCNP selecting pods by label only', ccnp({ endpointSelector: { matchLabels: { app: 'x' } } }), true],
    ['a CCNP pinned to the governed namespace', ccnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'agents' } } }), true],
    ['a CCNP selecting by the zone namespace label', ccnp({ endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.palisade.dev/zone': 'inference' } } }), true],
    ['a CCNP pinned to other namespaces', ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['web', 'db'] }] } }), false],
    ['a CCNP host policy', ccnp({ nodeSelector: {}, ingress: [{}] }), false],
    ['a GNP without a namespaceSelector', gnp({ selector: 'all()' }), true],
    ['a GNP selecting the governed namespace by name', gnp({ namespaceSelector: "projectcalico.org/name == 'agents'" }), true],
    ['a GNP selecting other namespaces', gnp({ namespaceSelector: "kubernetes.io/metadata.name in {'web'}" }), false],
    ['a GNP with a selector palisade cannot parse', gnp({ namespaceSelector: 'this is not ((' }), true],
    ['a ClusterNetworkPolicy over all namespaces', cnp({ namespaces: {} }), true],
    ['a ClusterNetworkPolicy over pods of other namespaces', cnp({ pods: { namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {} } }), false],
  ] as const)('%s', (_what, o, expected) => {
    expect(selectsGoverned(o, desired)).toBe(expected);
  });
});
