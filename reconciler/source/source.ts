import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { PalisadeError } from '../../lib/core/errors.js';

/** Where the policies come from. */
export type SourceSpec =
  | { readonly kind: 'local'; readonly dir: string }
  | { readonly kind: 'git'; readonly url: string; readonly ref: string };

export interface Checkout {
  /** Directory holding policies/ and clusters/. */
  readonly dir: string;
  /** Commit SHA, or `local` for a working tree. */
  readonly revision: string;
}

/** simple-git with a timeout, no prompts, and non-zero exits always failing. */
export function git(dir?: string, env: Readonly<Record<string, string>> = {}): SimpleGit {
  return simpleGit({
    ...(dir ? { baseDir: dir } : {}),
    timeout: { block: 120_000 },
    allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_SSL_CAINFO'],
    // Non-zero exits with empty stderr must fail too (simple-git would otherwise resolve).
    errors: (err, res) => (err ? err : res.exitCode === 0 ? undefined : Buffer.from(`git exited ${res.exitCode}`)),
  }).env({ ...gitEnv(), ...env });
}

/** A minimal environment: no prompts, and nothing simple-git considers unsafe (EDITOR, pagers). */
function gitEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'SSH_AUTH_SOCK', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'GIT_SSL_CAINFO'];
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const k of keep) if (process.env[k]) env[k] = process.env[k];
  return env;
}

async function resolveRef(repo: SimpleGit, url: string, ref: string): Promise<string> {
  for (const candidate of [`origin/${ref}`, ref]) {
    const sha = await repo.revparse(['--verify', '--quiet', `${candidate}^{commit}`]).catch(() => '');
    if (sha.trim()) return sha.trim();
  }
  throw new PalisadeError('GitFailed', `Git ref "${ref}" does not exist in ${url}.`, { hint: 'use a branch, tag or commit that exists (git ls-remote shows them)' });
}

/**
 * Clones (first time) or fetches `url` into `.palisade/git/` under the working directory (so the
 * checkout's policies resolve this repository's node_modules), then checks `ref` out into a
 * worktree per commit: each revision is a new directory, so its modules load fresh (Node caches
 * modules by path).
 */
async function checkoutGit(url: string, ref: string, root: string): Promise<Checkout> {
  const base = join(root, '.palisade', 'git', createHash('sha256').update(url).digest('hex').slice(0, 12));
  const dir = join(base, 'repo');
  try {
    if (!existsSync(join(dir, '.git'))) {
      await mkdir(dir, { recursive: true });
      await git().clone(url, dir, ['--no-checkout', '--quiet']);
    } else {
      await git(dir).fetch(['--tags', '--force', '--prune', 'origin']);
    }
  } catch (cause) {
    throw new PalisadeError('GitFailed', `Cannot fetch ${url}: ${(cause as Error).message.trim()}`, { hint: 'check the URL, credentials and network; palisade never prompts for a password', cause });
  }
  const repo = git(dir);
  const sha = await resolveRef(repo, url, ref);
  const worktree = join(base, sha.slice(0, 12));
  if (!existsSync(worktree)) await repo.raw(['worktree', 'add', '--force', '--detach', worktree, sha]);
  else await utimes(worktree, new Date(), new Date());
  await pruneWorktrees(repo, base, worktree);
  return { dir: worktree, revision: sha };
}

/** Revisions kept checked out per repository (a watch following a branch would otherwise keep every commit). */
export const KEEP_WORKTREES = 8;

/**
 * Removes all but the KEEP_WORKTREES most recently used worktrees. Modules already loaded from a
 * removed one stay in memory; the one just checked out is never removed.
 */
async function pruneWorktrees(repo: SimpleGit, base: string, current: string): Promise<void> {
  const entries = await readdir(base, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory() && e.name !== 'repo').map((e) => join(base, e.name));
  if (dirs.length <= KEEP_WORKTREES) return;
  const aged = await Promise.all(dirs.map(async (d) => ({ d, used: (await stat(d)).mtimeMs })));
  const stale = aged.sort((a, b) => b.used - a.used).slice(KEEP_WORKTREES).map((a) => a.d).filter((d) => d !== current);
  for (const d of stale) await repo.raw(['worktree', 'remove', '--force', d]).catch(() => rm(d, { recursive: true, force: true }));
  await repo.raw(['worktree', 'prune']);
}

export async function resolveSource(spec: SourceSpec, cwd = process.cwd()): Promise<Checkout> {
  switch (spec.kind) {
    case 'local': {
      const dir = resolve(spec.dir);
      const sha = await git(dir).revparse(['HEAD']).catch(() => '');
      const dirty = sha ? (await git(dir).status().then((s) => !s.isClean(), () => false)) : false;
      return { dir, revision: sha ? `${sha.trim()}${dirty ? '+dirty' : ''}` : 'local' };
    }
    case 'git':
      return checkoutGit(spec.url, spec.ref, cwd);
  }
}
