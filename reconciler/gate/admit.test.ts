import { describe, expect, it } from 'vitest';
import { baselineOf, parseTrustRevision } from './admit.js';

const sha = (c: string): string => c.repeat(40);

describe('baselineOf', () => {
  it('judges from the recorded applied revision, whatever the operator passes', () => {
    expect(baselineOf({ revision: sha('a'), verified: true, signedBy: [], appliedAt: '' }, { trustRevision: sha('b'), allowRollback: false })).toEqual({ revision: sha('a') });
  });

  it('trusts nothing on first use: no record and no --trust-revision is no baseline', () => {
    expect(baselineOf(undefined, { allowRollback: false })).toEqual({ missing: 'has no applied revision recorded' });
    expect(baselineOf(undefined, { trustRevision: sha('b'), allowRollback: false })).toEqual({ revision: sha('b') });
  });

  it('does not take a working tree record for a baseline', () => {
    expect(baselineOf({ revision: 'local', verified: false, signedBy: [], appliedAt: '' }, { allowRollback: false })).toMatchObject({ missing: expect.stringContaining('not a commit') });
  });
});

describe('parseTrustRevision', () => {
  it('takes a full SHA only', () => {
    expect(parseTrustRevision(sha('c'))).toBe(sha('c'));
    expect(() => parseTrustRevision('main')).toThrow(/not a full 40-hex-digit commit SHA/);
    expect(() => parseTrustRevision('abc1234')).toThrow(/not a full/);
  });
});
