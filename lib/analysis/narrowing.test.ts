import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/resource-id.js';
import { canOnlyNarrow } from './narrowing.js';

const cnp = (spec: unknown): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'agents' }, spec });
const calico = (spec: unknown): KubeObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'agents' }, spec });
const np = (spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'agents' }, spec });

describe('canOnlyNarrow', () => {
  it.each([
    ['a Cilium egressDeny to the world', cnp({ endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] })],
    ['a Calico Deny-only policy', calico({ selector: 'app == "agent"', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['0.0.0.0/0'] } }] })],
    ['a Calico emergency Deny of one pod address (an approximation of the pod ranges, not a gap in the model)', calico({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.244.3.7/32'] } }] })],
    ['a Calico IPv6-only Deny', calico({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', ipVersion: 6 }] })],
    ['a NetworkPolicy that only isolates', np({ podSelector: { matchLabels: { app: 'agent' } }, policyTypes: ['Ingress'] })],
  ])('keeps %s', (_what, obj) => {
    expect(canOnlyNarrow(obj)).toBe(true);
  });

  it.each([
    ['a Cilium allow beside a deny', cnp({ endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }], egress: [{ toEntities: ['cluster'] }] })],
    ['a Calico Pass (skips the rest of the tier)', calico({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass' }] })],
    ['a Calico Allow', calico({ selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow' }] })],
    ['a NetworkPolicy with any rule', np({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })],
    ['a kind the engine does not read', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'agents' } }],
    ['an invalid policy', np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: 'not-a-cidr' } }] }] })],
    ['a Calico IPv6-only Allow (the IPv4 analysis sees no rule in it)', calico({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', ipVersion: 6 }] })],
    ['a Calico Deny narrowed by source ports beside nothing else (the engine does not read source ports)', calico({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', protocol: 'TCP', source: { ports: [1] } }] })],
  ])('does not keep %s', (_what, obj) => {
    expect(canOnlyNarrow(obj)).toBe(false);
  });
});
