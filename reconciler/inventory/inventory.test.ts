import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyOf } from '../../lib/core/resource-id.js';
import { applySetId, decodeEntries, encodeEntries } from './inventory.js';

describe('inventory encoding', () => {
  it('round-trips and keeps 10,000 objects well under the 1 MiB ConfigMap limit', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => {
      const id = i % 10 === 0 ? { apiVersion: 'v1', kind: 'Namespace', name: `agents-${i}` } : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: `agents-${i % 50}`, name: `agent-${i}-egress` };
      return { id, key: keyOf(id), uid: randomUUID() };
    });
    const data = encodeEntries(entries);
    expect(decodeEntries(data)).toEqual(entries);
    expect(data.length).toBeLessThan(800_000);
  });

  it('derives a stable ApplySet id per cluster', () => {
    expect(applySetId('prod')).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    expect(applySetId('prod')).toBe(applySetId('prod'));
    expect(applySetId('prod')).not.toBe(applySetId('dev'));
  });
});
