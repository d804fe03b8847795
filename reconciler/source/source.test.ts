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
    expect(kept.sort()).toEqual(shas.slice(-KEEP_WORKTREES).sort());
    expect(existsSync(first.dir)).toBe(false);
    const listed = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: join(base, 'repo'), encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('worktree '));
    expect(listed).toHaveLength(KEEP_WORKTREES + 1);
    // Using an old revision again checks it out again.
    const again = await resolveSource({ kind: 'git', url, ref: shas[0]! }, root);
    expect(readFileSync(join(again.dir, 'rev.txt'), 'utf8')).toBe('0');
  }, 60_000);

  it('never reuses a worktree that is not exactly its commit (a file edited or added there is checked out again)', async () => {
    const { url, shas } = repoWithCommits(2);
    const root = mkdtempSync(join(tmpdir(), 'palisade-root-'));
    const c = await resolveSource({ kind: 'git', url, ref: shas[1]! }, root);
    writeFileSync(join(c.dir, 'rev.txt'), 'tampered');
    writeFileSync(join(c.dir, 'extra.ts'), 'export {};');
    const again = await resolveSource({ kind: 'git', url, ref: shas[1]! }, root);
    expect(again.dir).toBe(c.dir);
    expect(readFileSync(join(again.dir, 'rev.txt'), 'utf8')).toBe('1');
    expect(existsSync(join(again.dir, 'extra.ts'))).toBe(false);
  }, 60_000);

  it('resolves a branch only as a branch: a tag named origin/main or main never stands in for it', async () => {
    const { url, shas } = repoWithCommits(3);
    const root = mkdtempSync(join(tmpdir(), 'palisade-root-'));
    execFileSync('git', ['checkout', '-q', '--detach', shas[2]!], { cwd: url });
    execFileSync('git', ['branch', '-q', '-f', 'main', shas[1]!], { cwd: url });
    execFileSync('git', ['tag', 'origin/main', shas[2]!], { cwd: url });
    expect((await resolveSource({ kind: 'git', url, ref: 'main' }, root)).revision).toBe(shas[1]);
    execFileSync('git', ['tag', 'main', shas[0]!], { cwd: url });
    await expect(resolveSource({ kind: 'git', url, ref: 'main' }, root)).rejects.toThrow(/Git ref "main" is both a branch and a tag/);
    await expect(resolveSource({ kind: 'git', url, ref: '--upload-pack=x' }, root)).rejects.toThrow(/is not a branch, tag or commit name/);
  }, 60_000);
});
