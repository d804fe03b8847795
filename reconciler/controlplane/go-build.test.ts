import { describe, expect, it } from 'vitest';
import { wrapperGoMod } from './go-build.js';
import { cacheKey } from './binaries.js';
import { etcdSpec, kubeApiserverSpec } from './versions.js';

describe('wrapperGoMod', () => {
  it('requires k8s.io/kubernetes and pins every staging module to the matching v0 release', () => {
    const mod = wrapperGoMod(kubeApiserverSpec('1.35.4'));
    expect(mod).toContain('require k8s.io/kubernetes v1.35.4');
    expect(mod).toContain('\tk8s.io/api => k8s.io/api v0.35.4');
    expect(mod).toContain('\tk8s.io/client-go => k8s.io/client-go v0.35.4');
    expect(mod.match(/=> k8s\.io\/[a-z-]+ v0\.35\.4/g)).toHaveLength(31);
  });

  it('has no replace block for etcd', () => {
    const mod = wrapperGoMod(etcdSpec('3.6.5'));
    expect(mod).toContain('require go.etcd.io/etcd/server/v3 v3.6.5');
    expect(mod).not.toContain('replace');
  });
});

describe('cacheKey', () => {
  it('starts with the version and changes when the pin changes', () => {
    // Recorded from existing caches (~/.cache/palisade/bin/<name>/<key>): a change of the key
    // derivation would silently rebuild every user's binaries, so it must be deliberate.
    expect(cacheKey(etcdSpec('3.6.5'))).toBe('3.6.5-d3ad5fd548');
    expect(cacheKey(kubeApiserverSpec('1.35.4'))).toBe('1.35.4-314d9753c9');
    expect(cacheKey({ ...etcdSpec('3.6.5'), linkVars: { a: 'b' } })).not.toBe(cacheKey(etcdSpec('3.6.5')));
    expect(cacheKey(etcdSpec('3.6.6'))).not.toBe(cacheKey(etcdSpec('3.6.5')));
    expect(cacheKey(kubeApiserverSpec('1.35.4'))).not.toBe(cacheKey(kubeApiserverSpec('1.35.5')));
  });
});
