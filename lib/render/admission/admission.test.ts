import { describe, expect, it } from 'vitest';
import { findObject, objectsOfKind, synthIssues, synthObjects } from '../../testing/index.js';
import { smallOrg } from '../../../test/fixtures/small-org.js';

describe('ValidatingAdmissionPolicy renderer', () => {
  it('checks images of containers, initContainers and ephemeralContainers against the allow-list', () => {
    const objects = synthObjects(smallOrg());
    const vap = findObject(objects, 'ValidatingAdmissionPolicy', 'palisade-registry-acme').spec as { variables: Array<{ name: string; expression: string }>; matchConstraints: unknown };
    const images = vap.variables.find((v) => v.name === 'images')?.expression ?? '';
    expect(images).toMatch(/object\.spec\.containers\.map/);
    expect(images).toMatch(/object\.spec\.initContainers\.map/);
    expect(images).toMatch(/object\.spec\.ephemeralContainers\.map/);
    expect(vap.variables.find((v) => v.name === 'allowed')?.expression).toBe("['ghcr.io/acme/']");
    expect(vap.matchConstraints).toMatchObject({ resourceRules: [{ resources: ['pods', 'pods/ephemeralcontainers'] }] });
    expect(findObject(objects, 'ValidatingAdmissionPolicyBinding', 'palisade-registry-acme').spec).toEqual({
      policyName: 'palisade-registry-acme', validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['agents'] }] } },
    });
  });

  it('requires the sandbox RuntimeClass and emits that RuntimeClass', () => {
    const objects = synthObjects(smallOrg({ sandbox: true }));
    const vap = findObject(objects, 'ValidatingAdmissionPolicy', 'palisade-sandbox-gvisor').spec as { validations: Array<{ expression: string }> };
    expect(vap.validations[0]?.expression).toBe("has(object.spec.runtimeClassName) && object.spec.runtimeClassName == 'gvisor'");
    expect(findObject(objects, 'RuntimeClass', 'gvisor')).toMatchObject({ handler: 'runsc', overhead: { podFixed: { cpu: '100m', memory: '64Mi' } } });
  });

  it('always forbids privileged and host-namespace pods in agent namespaces', () => {
    const objects = synthObjects(smallOrg());
    expect(findObject(objects, 'ValidatingAdmissionPolicyBinding', 'palisade-agent-guardrails').spec).toMatchObject({ matchResources: { namespaceSelector: { matchLabels: { 'palisade.dev/agent-namespace': 'true' } } } });
  });

  it('refuses image signature rules on VAP (CEL cannot verify signatures)', () => {
    expect(synthIssues(smallOrg({ signatures: true }))).toEqual([expect.objectContaining({ code: 'UnsupportedByBackend', path: 'policies/acme', hint: expect.stringMatching(/kyverno admission backend/) })]);
  });

  it('turns GPU tenancy into a quota and a rule against whole GPUs for MIG namespaces', () => {
    const objects = synthObjects(smallOrg({ gpu: true }));
    expect(findObject(objects, 'ResourceQuota', 'palisade-gpu', 'agents').spec).toEqual({ hard: { 'requests.nvidia.com/mig-1g.10gb': '2' } });
    const vap = findObject(objects, 'ValidatingAdmissionPolicy', 'palisade-gpu-mig').spec as { validations: Array<{ expression: string }> };
    expect(vap.validations[0]?.expression).toContain("r == 'nvidia.com/gpu'");
  });
});

describe('Kyverno renderer', () => {
  it('emits ValidatingPolicy for the same rules and ImageValidatingPolicy for signatures', () => {
    const objects = synthObjects(smallOrg({ signatures: true, sandbox: true }), { admission: 'kyverno' });
    expect(objectsOfKind(objects, 'ValidatingAdmissionPolicy')).toEqual([]);
    expect(objectsOfKind(objects, 'ValidatingPolicy').map((o) => o.metadata.name)).toEqual(['palisade-agent-guardrails', 'palisade-agent-pod-entry', 'palisade-agent-spawn-agents', 'palisade-identity-agents-researcher', 'palisade-no-token-agents', 'palisade-registry-acme', 'palisade-sandbox-gvisor']);
    const ivp = findObject(objects, 'ImageValidatingPolicy', 'palisade-signatures-acme').spec as Record<string, unknown>;
    expect(ivp['matchImageReferences']).toEqual([{ glob: 'ghcr.io/acme/*' }]);
    expect(ivp['attestors']).toEqual([
      { name: 'a0', cosign: { key: { data: expect.stringContaining('BEGIN PUBLIC KEY') } } },
      { name: 'a1', cosign: { keyless: { identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/agents' }] }, ctlog: { url: 'https://rekor.sigstore.dev' } } },
    ]);
    // Every container kind, and `kubectl debug` (ephemeral containers) too.
    expect(ivp['validations']).toEqual([expect.objectContaining({ expression: "(('containers' in images ? images.containers : []) + ('initContainers' in images ? images.initContainers : []) + ('ephemeralContainers' in images ? images.ephemeralContainers : [])).map(i, verifyImageSignatures(i, [attestors.a0, attestors.a1])).all(e, e > 0)" })]);
    expect(ivp['matchConstraints']).toMatchObject({ resourceRules: [{ resources: ['pods', 'pods/ephemeralcontainers'] }] });
    // Scoped to the agents that use the registry, by identity.
    expect(ivp['matchConditions']).toEqual([{ name: 'runs-as-agent', expression: expect.stringMatching(/in \['agents\/researcher'\]$/) }]);
  });
});
