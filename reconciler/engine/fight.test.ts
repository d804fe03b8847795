import { describe, expect, it } from 'vitest';
import { FightDetector } from './fight.js';

describe('FightDetector', () => {
  it('reports a fight after repeated corrections and backs off exponentially', () => {
    const f = new FightDetector({ threshold: 3, windowMs: 1000, baseBackoffMs: 100 });
    expect(f.record('k', 0)).toEqual({ state: 'ok' });
    expect(f.record('k', 10)).toEqual({ state: 'ok' });
    expect(f.record('k', 20)).toEqual({ state: 'fight', corrections: 3, backoffMs: 100 });
    expect(f.check('k', 50)).toEqual({ state: 'backoff', untilMs: 120 });
    expect(f.check('k', 130)).toEqual({ state: 'ok' });
    f.record('k', 130); f.record('k', 140);
    expect(f.record('k', 150)).toEqual({ state: 'fight', corrections: 3, backoffMs: 200 });
  });

  it('forgets corrections outside the window', () => {
    const f = new FightDetector({ threshold: 3, windowMs: 100 });
    f.record('k', 0); f.record('k', 50);
    expect(f.record('k', 200)).toEqual({ state: 'ok' });
    expect(f.check('other', 0)).toEqual({ state: 'ok' });
  });
});
