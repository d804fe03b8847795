import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyOf } from '../../lib/core/resource-id.js';
import { applySetId, decodeEntries, encodeEntries } from './inventory.js';

describe('inventory encoding', () => {
  it('round-trips and keeps 10,000 objects well under the 1 MiB ConfigMap limit', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => {
      const id = i % 10 === 0 ? { apiVersion: 'v1', kind: 'Namespace', name: `agents-${i}` } : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: `agents-${i % 50}`, name: `agent-${i}-egress` };
      return { id, key: keyOf(id), uid: randomUUID(), resourceVersion: String(1000 + i) };
    });
    const data = encodeEntries(entries);
    expect(decodeEntries(data)).toEqual(entries);
    expect(data.length).toBeLessThan(800_000);
  });

  it('derives the ApplySet id of the cluster\'s parent ConfigMap (KEP-3659; kubectl\'s own id is compared in reconciler-apply.int.test.ts)', () => {
    // KEP-3659: base64url(sha256("<name>.<namespace>.<kind>.<group>")), here computed by hand with openssl.
    expect(applySetId('prod')).toBe('applyset-' + execFileSync('sh', ['-c', "printf %s 'palisade-inventory-prod.palisade-system.ConfigMap.' | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=\\n'"], { encoding: 'utf8' }) + '-v1');
    expect(applySetId('prod')).not.toBe(applySetId('dev'));
  });
});
