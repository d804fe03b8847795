import { describe, expect, it } from 'vitest';
import { SchemaValidator } from './schema-validator.js';

const validator = new SchemaValidator();
const cnp = (spec: unknown): Parameters<SchemaValidator['validate']>[0] => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'y' }, spec });

describe('offline schema validation', () => {
  it('accepts a valid CiliumNetworkPolicy', () => {
    expect(validator.validate(cnp({ endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'a.example.com' }] }] }))).toEqual([]);
  });

  it('rejects a typo that the API server would prune silently, naming object and field', () => {
    expect(validator.validate(cnp({ endpointSelector: {}, egress: [{ toFqdns: [{ matchName: 'a.example.com' }] }] }))).toContainEqual(
      expect.objectContaining({ path: 'CiliumNetworkPolicy/y/x', message: '/spec/egress/0 must NOT have additional properties ("toFqdns")' }));
  });

  it('rejects an enum violation and a wrong type in built-in kinds', () => {
    expect(validator.validate(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'HTTP' }] }] }] }))[0]?.message).toMatch(/protocol must be equal to one of the allowed values/);
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'y' }, spec: { podSelector: {}, policyTypes: 'Ingress' } };
    expect(validator.validate(np)[0]?.message).toMatch(/\/spec\/policyTypes must be array/);
  });

  it('knows no schema for kinds palisade does not emit', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0]?.message).toMatch(/no schema known/);
  });
});
