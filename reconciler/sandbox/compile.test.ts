import { mkdtempSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCheckout, outermost } from './compile.js';

/** A checkout with a one-file lib/ and policies/index.ts holding `marker`. */
function checkout(root: string, name: string, marker: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  mkdirSync(join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, 'lib', 'index.ts'), 'export const lib: number = 1;\n');
  writeFileSync(join(dir, 'policies', 'index.ts'), `import { lib } from '../lib/index.js';\nexport const marker: string = ${JSON.stringify(marker)} + lib;\n`);
  return dir;
}

describe('the sandbox compile cache', () => {
  const before = process.env['PALISADE_CACHE_DIR'];
  const root = mkdtempSync(join(tmpdir(), 'palisade-compile-'));
  beforeAll(() => { process.env['PALISADE_CACHE_DIR'] = join(root, 'cache'); });
  afterAll(() => { if (before === undefined) delete process.env['PALISADE_CACHE_DIR']; else process.env['PALISADE_CACHE_DIR'] = before; });

  it('reuses one tree for an unchanged checkout and shares compiled files between checkouts', async () => {
    const a = await compileCheckout(checkout(root, 'a', 'x'), ['lib', 'policies'], join(root, 'none'));
    expect((await compileCheckout(join(root, 'a'), ['lib', 'policies'], join(root, 'none'))).dir).toBe(a.dir);
    const b = await compileCheckout(checkout(root, 'b', 'y'), ['lib', 'policies'], join(root, 'none'));
    expect(b.dir).not.toBe(a.dir);
    // lib/index.ts is the same content in both: one cache entry for it, one per distinct policies file.
    expect(readdirSync(join(root, 'cache', 'sandbox', 'files')).filter((f) => f.endsWith('.map'))).toHaveLength(3);
  });

  it('keeps at most 16 trees, removing the least recently used once they are not in use', async () => {
    for (let i = 0; i < 17; i++) await compileCheckout(checkout(root, `r${i}`, `rev-${i}`), ['lib', 'policies'], join(root, 'none'));
    const trees = join(root, 'cache', 'sandbox', 'trees');
    // All young: none is removed while it may be in use.
    expect(readdirSync(trees).length).toBeGreaterThan(16);
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const t of readdirSync(trees)) utimesSync(join(trees, t, '.complete'), hourAgo, hourAgo);
    const last = await compileCheckout(checkout(root, 'last', 'newest'), ['lib', 'policies'], join(root, 'none'));
    const left = readdirSync(trees);
    expect(left).toHaveLength(16);
    expect(left).toContain(last.dir.split('/').at(-1));
  });
});

describe('outermost', () => {
  it('walks a directory once when another one given contains it', () => {
    expect(outermost(['lib', 'policies', '.'])).toEqual(['.']);
    expect(outermost(['lib', 'policies', 'policies/org', './lib'])).toEqual(['lib', 'policies']);
    expect(outermost(['lib', 'policies', 'policies-extra'])).toEqual(['lib', 'policies', 'policies-extra']);
  });
});
