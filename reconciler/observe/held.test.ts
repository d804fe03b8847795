import { describe, expect, it } from 'vitest';
import { idOf, keyOf, type KubeObject } from '../../lib/core/resource-id.js';
import type { DesiredSet } from '../plan/types.js';
import { holdWhole, slim } from './held.js';

const np = (namespace: string, name: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace } });
const sa = (namespace: string, name: string, big = ''): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: { 'applyset.kubernetes.io/part-of': 'x' }, annotations: { pad: big } } });

const desiredSa = sa('agents', 'research-agent');
const desired: DesiredSet = {
  cluster: 'c', revision: 'r', objects: new Map([[keyOf(idOf(desiredSa)), desiredSa]]), governedNamespaces: ['agents'],
  admissionPolicies: [], kyvernoPolicies: ['ValidatingPolicy/palisade-registry-acme'], enforcedKinds: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }], enforcedClusterKinds: [],
};
const held = (o: KubeObject): boolean => holdWhole(keyOf(idOf(o)), o, desired);

describe('holdWhole', () => {
  it('holds what palisade judges: its desired objects and enforced kinds in governed namespaces', () => {
    expect(held(desiredSa)).toBe(true);
    expect(held(np('agents', 'foreign-allow'))).toBe(true);
    // A Kyverno PolicyException anywhere can exempt requests from palisade's policies.
    expect(held({ apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', metadata: { name: 'x', namespace: 'elsewhere' } })).toBe(true);
  });

  it('holds only the id of an object that merely wears palisade\'s labels (a namespace editor\'s 1 MB ServiceAccounts)', () => {
    const forged = sa('agents', 'padding-1', 'x'.repeat(1 << 20));
    expect(held(forged)).toBe(false);
    expect(JSON.stringify(slim(forged)).length).toBeLessThan(200);
    expect(held(np('elsewhere', 'not-governed'))).toBe(false);
  });
});
