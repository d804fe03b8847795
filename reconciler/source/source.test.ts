import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEEP_WORKTREES, resolveSource } from './source.js';

/** A real Git repository with `n` commits, each writing its number to rev.txt. */
function repoWithCommits(n: number): { url: string; shas: string[] } {
  const url = mkdtempSync(join(tmpdir(), 'palisade-src-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: url, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
  git('init', '-q', '-b', 'main');
  const shas: string[] = [];
  for (let i = 0; i < n; i++) {
    writeFileSync(join(url, 'rev.txt'), String(i));
    git('add', 'rev.txt');
    git('commit', '-q', '-m', `rev ${i}`);
    shas.push(git('rev-parse', 'HEAD'));
  }
  return { url, shas };
}

describe('Git sources', () => {
  it(`keep at most ${KEEP_WORKTREES} worktrees, the most recently used, and Git's worktree list agrees`, async () => {
    const { url, shas } = repoWithCommits(KEEP_WORKTREES + 4);
    const root = mkdtempSync(join(tmpdir(), 'palisade-root-'));
    const first = await resolveSource({ kind: 'git', url, ref: shas[0]! }, root);
    for (const [i, sha] of shas.entries()) {
      const c = await resolveSource({ kind: 'git', url, ref: sha }, root);
      expect(readFileSync(join(c.dir, 'rev.txt'), 'utf8')).toBe(String(i));
      expect(c.revision).toBe(sha);
    }
    const base = join(first.dir, '..');
    const kept = readdirSync(base).filter((d) => d !== 'repo');
    expect(kept).toHaveLength(KEEP_WORKTREES);
    expect(kept.sort()).toEqual(shas.slice(-KEEP_WORKTREES).map((s) => s.slice(0, 12)).sort());
    expect(existsSync(first.dir)).toBe(false);
    const listed = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: join(base, 'repo'), encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('worktree '));
    expect(listed).toHaveLength(KEEP_WORKTREES + 1);
    // Using an old revision again checks it out again.
    const again = await resolveSource({ kind: 'git', url, ref: shas[0]! }, root);
    expect(readFileSync(join(again.dir, 'rev.txt'), 'utf8')).toBe('0');
  }, 60_000);
});
