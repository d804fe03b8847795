/**
 * The vendored upstream CRDs are what their provenance says: every file is listed in its tree's
 * SHA256SUMS (checked with coreutils' `sha256sum -c`, not our own hashing), every file the suite
 * installs is vendored, and, where ../shared/crds exists, each is byte-identical to its copy there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED_CRDS, SHARED_DIR, upstreamCrdFiles, VENDORED_CRD_TREES } from './shared.js';

const walk = (d: string): string[] => readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : e.endsWith('.yaml') ? [join(d, e)] : []));

describe.each(VENDORED_CRD_TREES.map((t) => [relative(join(t, '..', '..', '..'), t), t]))('vendored CRDs in %s', (_name, tree) => {
  it('match SHA256SUMS, which lists every file and nothing else', () => {
    const listed = readFileSync(join(tree, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/)[1]).sort();
    expect(listed).toEqual(walk(tree).map((f) => relative(tree, f)).sort());
    const out = execFileSync('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: tree, encoding: 'utf8' });
    expect(out.trim().split('\n').filter((l) => !l.endsWith(': OK'))).toEqual([]);
    expect(readFileSync(join(tree, 'SOURCES.txt'), 'utf8')).toMatch(/<- \S+\/\S+ @/);
  });

  it(`are byte-identical to their upstream copies in ../shared/crds (${HAS_SHARED_CRDS ? 'present' : 'absent here: checked by SHA256SUMS only'})`, () => {
    const upstream = HAS_SHARED_CRDS ? walk(join(SHARED_DIR, 'crds')) : [];
    const differing = walk(tree).filter((f) => {
      if (!HAS_SHARED_CRDS) return false;
      const base = relative(tree, f).split('/').at(-1) ?? '';
      const channel = f.includes('/experimental/') ? '/experimental/' : f.includes('/standard/') ? '/standard/' : '';
      const twins = upstream.filter((u) => u.endsWith(`/${base}`) && u.includes(channel) && !u.includes('libcalico-go'));
      return !twins.some((u) => readFileSync(u, 'utf8') === readFileSync(f, 'utf8'));
    });
    expect(differing).toEqual([]);
  });
});

describe('CRDs the integration suite installs', () => {
  it('are all vendored in this repository', () => {
    const files = upstreamCrdFiles();
    expect(files.length).toBe(24);
    expect(files.filter((f) => !existsSync(f) || !VENDORED_CRD_TREES.some((t) => f.startsWith(`${t}/`)))).toEqual([]);
  });
});
