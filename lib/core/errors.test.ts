import { describe, expect, it } from 'vitest';
import { describeError, isPalisadeError, PalisadeError } from './errors.js';
import { formatId, keyOf } from './resource-id.js';

describe('PalisadeError', () => {
  it('is recognised by its symbol and prints its hint', () => {
    const e = new PalisadeError('PortInUse', 'port 1 is in use', { hint: 'pick another' });
    expect(isPalisadeError(e)).toBe(true);
    expect(isPalisadeError(new Error('x'))).toBe(false);
    expect(describeError(e)).toBe('port 1 is in use\n  hint: pick another');
  });
});

describe('resource identity', () => {
  it.each([
    [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: 'agents', name: 'egress' }, 'CiliumNetworkPolicy/agents/egress', 'cilium.io/CiliumNetworkPolicy/agents/egress'],
    [{ apiVersion: 'v1', kind: 'Namespace', name: 'agents' }, 'Namespace/agents', '/Namespace//agents'],
  ])('formats %j', (id, human, key) => {
    expect(formatId(id)).toBe(human);
    expect(keyOf(id)).toBe(key);
  });
});
