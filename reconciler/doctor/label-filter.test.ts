import { describe, expect, it } from 'vitest';
import { labelFilter } from './label-filter.js';

// Expectations from Cilium's documentation of the `labels` option ("Limiting Identity-Relevant
// Labels") and pkg/labelsfilter semantics: with no user list every label is kept except the
// built-in exclusions; an inclusive user pattern turns the list into an allow-list.
describe('Cilium identity-label filter', () => {
  it('keeps every label but the built-in exclusions by default', () => {
    const f = labelFilter('');
    expect(f.keeps('app')).toBe(true);
    expect(f.keeps('palisade.dev/quarantine')).toBe(true);
    expect(f.keeps('pod-template-hash')).toBe(false);
    expect(f.keeps('kubernetes.io/hostname')).toBe(false);
    expect(f.keeps('app.kubernetes.io/name')).toBe(true);
  });
  it('an inclusive pattern makes an allow-list (namespace and ServiceAccount labels stay)', () => {
    const f = labelFilter('k8s:app k8s:io.kubernetes.pod.namespace');
    expect(f.keeps('app')).toBe(true);
    expect(f.keeps('palisade.dev/quarantine')).toBe(false);
    expect(f.keeps('io.cilium.k8s.policy.serviceaccount')).toBe(true);
    expect(f.keeps('io.cilium.k8s.namespace.labels.palisade.dev/zone')).toBe(true);
  });
  it('an exclusion drops only what it matches; a longer inclusive match wins over it', () => {
    expect(labelFilter('!palisade\\.dev').keeps('palisade.dev/quarantine')).toBe(false);
    expect(labelFilter('!palisade\\.dev').keeps('app')).toBe(true);
    expect(labelFilter('!palisade\\.dev k8s:palisade\\.dev/quarantine').keeps('palisade.dev/quarantine')).toBe(true);
  });
  it('a pattern for another source does not apply to pod labels', () => {
    expect(labelFilter('container:app').keeps('app')).toBe(false);
  });
});
