/**
 * The real API server as an oracle: it validates CRD-backed objects against the upstream schemas
 * and evaluates admission policies. These tests prove the harness is a real kube-apiserver.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { eventually, freshNamespace, statusOf, testClient, uniqueName } from '../support/cluster.js';

const client = testClient();

function cnp(namespace: string, protocol: string): KubeObject {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
    metadata: { name: uniqueName('cnp'), namespace },
    spec: {
      endpointSelector: { matchLabels: { app: 'agent' } },
      egress: [{ toFQDNs: [{ matchName: 'api.openai.com' }], toPorts: [{ ports: [{ port: '443', protocol }] }] }],
    },
  };
}

describe('upstream Cilium CRD installed in the real API server', () => {
  it('rejects a CiliumNetworkPolicy with an invalid protocol with HTTP 422 and names the field', async () => {
    const ns = await freshNamespace(client, 'cilium-invalid');
    const result = await statusOf(() => client.apply(cnp(ns, 'HTTP')));
    expect([result.status, result.reason]).toEqual([422, 'Invalid']);
    expect(result.message).toMatch(/spec\.egress\[0\]\.toPorts\[0\]\.ports\[0\]\.protocol/);
  });

  it('rejects an unknown field under strict field validation', async () => {
    const ns = await freshNamespace(client, 'cilium-unknown');
    const obj = cnp(ns, 'TCP');
    const spec = obj['spec'] as Record<string, unknown>;
    const bad = { ...obj, spec: { ...spec, egress: [{ toFqdns: [{ matchName: 'x.example' }] }] } };
    const result = await statusOf(() => client.apply(bad));
    // Server-side apply builds a typed patch from the CRD schema and refuses undeclared fields
    // (kube-apiserver answers 500 with no reason for a patch it cannot type).
    expect([result.status, result.reason]).toEqual([500, undefined]);
    expect(result.message).toMatch(/failed to create typed patch object/);
    // A create under fieldValidation=Strict refuses it as a bad request naming the field.
    const created = await statusOf(() => client.create(bad));
    expect([created.status, created.reason]).toEqual([400, 'BadRequest']);
    expect(created.message).toMatch(/unknown field "spec\.egress\[0\]\.toFqdns"/);
    expect(result.message).toMatch(/\.spec\.egress\[0\]\.toFqdns: field not declared in schema/);
  });

  it('accepts a valid CiliumNetworkPolicy and stores it', async () => {
    const ns = await freshNamespace(client, 'cilium-valid');
    const obj = cnp(ns, 'TCP');
    await client.apply(obj);
    const stored = await client.get({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: ns, name: obj.metadata.name });
    expect(stored?.['spec']).toMatchObject({ egress: [{ toFQDNs: [{ matchName: 'api.openai.com' }] }] });
  });
});

describe('ValidatingAdmissionPolicy evaluated by the real API server', () => {
  function pod(namespace: string, image: string): KubeObject {
    return {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('pod'), namespace },
      spec: { containers: [{ name: 'main', image }] },
    };
  }

  it('denies a Pod from an unlisted registry and admits a compliant Pod', async () => {
    const name = uniqueName('registry-allowlist');
    const ns = await freshNamespace(client, 'vap', { 'palisade.dev/vap-test': name });
    await client.apply({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }] },
        validations: [{
          expression: "object.spec.containers.all(c, c.image.startsWith('ghcr.io/acme/'))",
          messageExpression: "'images must come from ghcr.io/acme/: ' + object.spec.containers.map(c, c.image).join(', ')",
          reason: 'Forbidden',
        }],
      },
    });
    await client.apply({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'palisade.dev/vap-test': name } } } },
    });
    // The policy takes effect once the API server's policy informer syncs: poll until denied.
    const denied = await eventually(() => statusOf(() => client.create(pod(ns, 'docker.io/library/busybox:1.36'))), (r) => r.status !== 200);
    expect([denied.status, denied.reason]).toEqual([403, 'Forbidden']);
    expect(denied.message).toMatch(/images must come from ghcr.io\/acme\/: docker.io\/library\/busybox:1.36/);
    const admitted = await statusOf(() => client.create(pod(ns, 'ghcr.io/acme/agent:1.0')));
    expect(admitted).toEqual({ status: 200, message: 'ok' });
  });
});
