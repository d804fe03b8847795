import { describe, expect, it } from 'vitest';
import { skipWithout } from './tools.js';

describe('skipWithout', () => {
  const noPath = { ...process.env, PATH: '/nonexistent' };
  it('runs the tests when the tool is there', () => {
    expect(skipWithout('python3')).toBe(false);
  });
  it('fails with the reason when a tool is missing, unless opted out by name or with all', () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      expect(() => skipWithout('kubectl', noPath)).toThrow(/kubectl is not on PATH .*PALISADE_TEST_SKIP_MISSING=kubectl/);
      expect(skipWithout('kubectl', { ...noPath, PALISADE_TEST_SKIP_MISSING: 'python3,kubectl' })).toBe(true);
      expect(skipWithout('go', { ...noPath, PALISADE_TEST_SKIP_MISSING: 'all' })).toBe(true);
      expect(() => skipWithout('go', { ...noPath, PALISADE_TEST_SKIP_MISSING: 'python3' })).toThrow(/go is not on PATH/);
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
