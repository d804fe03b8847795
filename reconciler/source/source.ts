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

/**
 * The commit `ref` names, by kind and never by guess: a full or abbreviated object id is a commit,
 * else a branch is only `refs/remotes/origin/<ref>` and a tag only `refs/tags/<ref>` (a pushed tag
 * named `origin/main` or `main` cannot stand in for the branch). A name that is both a branch and
 * a tag is refused as ambiguous.
 */
async function resolveRef(repo: SimpleGit, url: string, ref: string): Promise<string> {
  const commitOf = async (name: string): Promise<string> => (await repo.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`]).catch(() => '')).trim();
  if (/^[0-9a-f]{7,40}$/.test(ref)) {
    const sha = await commitOf(ref);
    if (sha.startsWith(ref)) return sha;
  }
  assertRefName(ref);
  const branch = await commitOf(`refs/remotes/origin/${ref}`);
  const tag = await commitOf(`refs/tags/${ref}`);
  if (branch && tag && branch !== tag) {
    throw new PalisadeError('GitFailed', `Git ref "${ref}" is both a branch and a tag in ${url}, naming different commits`, { hint: 'pass the commit SHA, or delete the tag that shadows the branch' });
  }
  if (branch || tag) return branch || tag;
  throw new PalisadeError('GitFailed', `Git ref "${ref}" does not exist in ${url}.`, { hint: 'use a branch, tag or commit that exists (git ls-remote shows them)' });
}

function assertRefName(ref: string): void {
  if (/^[A-Za-z0-9._/-]+$/.test(ref) && !ref.startsWith('-') && !ref.includes('..')) return;
  throw new PalisadeError('InvalidInput', `--ref "${ref}" is not a branch, tag or commit name`, { hint: 'a branch (main), a tag (v1.2.0) or a commit SHA' });
}

/** Whether a reused worktree is exactly `sha`: HEAD there, and no file changed or added since. */
async function cleanAt(worktree: string, sha: string): Promise<boolean> {
  const head = await git(worktree).revparse(['HEAD']).catch(() => '');
  if (head.trim() !== sha) return false;
  const status = await git(worktree).raw(['status', '--porcelain', '--ignored', '--untracked-files=all']).catch(() => 'unknown');
  return status.trim() === '';
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
  const worktree = join(base, sha);
  if (existsSync(worktree) && !(await cleanAt(worktree, sha))) {
    await repo.raw(['worktree', 'remove', '--force', worktree]).catch(() => rm(worktree, { recursive: true, force: true }));
    await repo.raw(['worktree', 'prune']);
  }
  if (!existsSync(worktree)) await repo.raw(['worktree', 'add', '--force', '--detach', worktree, sha]);
  else await utimes(worktree, new Date(), new Date());
  await pruneWorktrees(repo, base, worktree);
  return { dir: worktree, revision: sha };
}
/**

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
