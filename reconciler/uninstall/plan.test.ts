import { describe, expect, it } from 'vitest';
import { formatId, type ResourceId } from '../../lib/core/resource-id.js';
import { uninstallPlan } from './plan.js';

const id = (kind: string, name: string, namespace?: string): ResourceId => ({ apiVersion: 'v1', kind, name, ...(namespace ? { namespace } : {}) });
const entries = [
  id('Namespace', 'agents'), id('NetworkPolicy', 'default-deny', 'agents'), id('ServiceAccount', 'coding-agent', 'agents'),
  id('ValidatingAdmissionPolicy', 'palisade-protect-prod'), id('ValidatingAdmissionPolicyBinding', 'palisade-protect-prod'),
  id('ValidatingAdmissionPolicy', 'palisade-sandbox'), id('RuntimeClass', 'gvisor'),
];

describe('uninstallPlan', () => {
  it('removes the protection first (binding, then policy), then the rest in reverse apply order, keeping Namespaces', () => {
    const p = uninstallPlan(entries, 'prod', { namespaces: false });
    expect(p.remove.map(formatId)).toEqual([
      'ValidatingAdmissionPolicyBinding/palisade-protect-prod', 'ValidatingAdmissionPolicy/palisade-protect-prod',
      'ServiceAccount/agents/coding-agent', 'ValidatingAdmissionPolicy/palisade-sandbox', 'NetworkPolicy/agents/default-deny', 'RuntimeClass/gvisor',
    ]);
    expect(p.keep.map(formatId)).toEqual(['Namespace/agents']);
  });
  it('removes Namespaces last when asked', () => {
    const p = uninstallPlan(entries, 'prod', { namespaces: true });
    expect(p.remove.map(formatId).at(-1)).toBe('Namespace/agents');
    expect(p.keep).toEqual([]);
  });
  it('does not treat another cluster\'s protection policy as this one\'s', () => {
    const p = uninstallPlan([id('ValidatingAdmissionPolicy', 'palisade-protect-other'), id('NetworkPolicy', 'x', 'a')], 'prod', { namespaces: false });
    expect(p.remove.map(formatId)).toEqual(['ValidatingAdmissionPolicy/palisade-protect-other', 'NetworkPolicy/a/x']);
  });
});
