import { describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../../lib/core/labels.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { untouchedSinceApply, withDesiredHash } from './untouched.js';

const desired = withDesiredHash({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'a', labels: { app: 'x' } },
  spec: { podSelector: { matchLabels: { app: 'x' } }, egress: [{ ports: [{ port: 443 }] }] },
});

const applied = (over: Partial<{ spec: unknown; labels: Record<string, string>; managers: unknown[]; hash: string }> = {}): KubeObject => ({
  ...desired,
  metadata: {
    ...desired.metadata,
    uid: 'u', resourceVersion: '7',
    labels: over.labels ?? desired.metadata.labels,
    annotations: { ...desired.metadata.annotations, ...(over.hash === undefined ? {} : { [ANNOTATIONS.desiredHash]: over.hash }) },
    managedFields: over.managers ?? [{ manager: 'palisade', operation: 'Apply', fieldsType: 'FieldsV1' }],
  } as KubeObject['metadata'],
  // the server's defaults: policyTypes and the port protocol
  spec: over.spec ?? { podSelector: { matchLabels: { app: 'x' } }, egress: [{ ports: [{ port: 443, protocol: 'TCP' }] }], policyTypes: ['Egress'] },
});

describe('untouchedSinceApply', () => {
  it('accepts the applied object with server defaults added, at the resourceVersion palisade recorded', () => {
    expect(untouchedSinceApply(desired, applied(), '7')).toBe(true);
  });

  it('does not vouch for an object written since palisade recorded it, whatever its managers and hash say', () => {
    // An impersonator applying as field manager "palisade" with the desired hash copied still bumps resourceVersion.
    expect(untouchedSinceApply(desired, applied(), '6')).toBe(false);
    expect(untouchedSinceApply(desired, applied(), '')).toBe(false);
    expect(untouchedSinceApply(desired, applied(), undefined)).toBe(false);
  });

  it.each([
    ['another desired hash', applied({ hash: 'f'.repeat(64) })],
    ['a declared label removed', applied({ labels: {} })],
    ['a list item removed', applied({ spec: { podSelector: { matchLabels: { app: 'x' } }, egress: [], policyTypes: ['Egress'] } })],
    ['a list item added', applied({ spec: { podSelector: { matchLabels: { app: 'x' } }, egress: [{ ports: [{ port: 443 }] }, {}], policyTypes: ['Egress'] } })],
    ['a declared value changed', applied({ spec: { podSelector: { matchLabels: { app: 'y' } }, egress: [{ ports: [{ port: 443 }] }] } })],
  ])('does not vouch for an object with %s', (_what, live) => {
    expect(untouchedSinceApply(desired, live, '7')).toBe(false);
  });

  it('hashes independently of key order', () => {
    const a = withDesiredHash({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: { a: '1', b: '2' } } });
    const b = withDesiredHash({ kind: 'Namespace', apiVersion: 'v1', metadata: { labels: { b: '2', a: '1' }, name: 'n' } });
    expect(a.metadata.annotations?.[ANNOTATIONS.desiredHash]).toMatch(/^[0-9a-f]{64}$/);
    expect(a.metadata.annotations?.[ANNOTATIONS.desiredHash]).toBe(b.metadata.annotations?.[ANNOTATIONS.desiredHash]);
  });
});
