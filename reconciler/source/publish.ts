import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { git } from './source.js';
import { PalisadeError } from '../../lib/core/errors.js';

export interface PublishOptions {
  /** The policy repository (its HEAD is the source commit). */
  readonly repoDir: string;
  /** Branch that receives the rendered manifests. */
  readonly branch: string;
  /** @default origin */
  readonly remote?: string;
  /** Path → content of the rendered tree. */
  readonly files: ReadonlyMap<string, string>;
}

export interface PublishResult {
  readonly committed: boolean;
  readonly commit: string;
  readonly sourceCommit: string;
}


async function sha(repo: SimpleGit, ref: string): Promise<string | undefined> {
  return (await repo.revparse(['--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim() || undefined;
}

/** A local branch of the same name must not have diverged from the remote one. */
async function assertNotDiverged(local: SimpleGit, url: string, branch: string): Promise<void> {
  const mine = await sha(local, `refs/heads/${branch}`);
  const remoteLine = (await local.listRemote([url, `refs/heads/${branch}`])).trim();
  const theirs = remoteLine.split(/\s/)[0];
  if (!mine || !theirs || mine === theirs) return;
  await local.fetch([url, `refs/heads/${branch}`]).catch(() => undefined);
  const isAncestor = async (a: string, b: string): Promise<boolean> => local.raw(['merge-base', '--is-ancestor', a, b]).then(() => true, () => false);
  if (!(await isAncestor(mine, theirs)) && !(await isAncestor(theirs, mine))) {
    throw new PalisadeError('GitFailed', `Branch "${branch}" has diverged: the local branch (${mine.slice(0, 12)}) and ${url} (${theirs.slice(0, 12)}) each have commits the other lacks.`, {
      hint: `publish never rewrites history: reconcile the branches (or delete the local "${branch}" if it is stale) and run it again`,
    });
  }
}

/** Replaces the work tree of `dir` (all but .git) with `files`. */
async function replaceTree(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const entry of await readdir(dir)) if (entry !== '.git') await rm(join(dir, entry), { recursive: true, force: true });
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/**
 * Commits the rendered tree to `branch` of the remote, one commit per source commit and none when
 * nothing changed. Works in a temporary clone: the policy repository's work tree, index and
 * branches are untouched unless the push succeeds (then the local branch is fast-forwarded).
 */
/** The source commit and remote URL, after checking the repository is clean and has the remote. */
async function preflight(local: SimpleGit, opts: PublishOptions): Promise<{ sourceCommit: string; url: string }> {
  if (!(await local.status()).isClean()) throw new PalisadeError('InvalidInput', `${opts.repoDir} has uncommitted changes: the rendered commit must name the source commit it came from`, { hint: 'commit or stash first' });
  const url = (await local.remote(['get-url', opts.remote ?? 'origin']).catch(() => undefined))?.trim();
  if (!url) throw new PalisadeError('GitFailed', `${opts.repoDir} has no remote "${opts.remote ?? 'origin'}"`);
  await assertNotDiverged(local, url, opts.branch);
  return { sourceCommit: (await sha(local, 'HEAD'))!, url };
}

export async function publish(opts: PublishOptions): Promise<PublishResult> {
  const local = git(opts.repoDir);
  const { sourceCommit, url } = await preflight(local, opts);
  const work = await mkdtemp(join(tmpdir(), 'palisade-publish-'));
  try {
    await git().clone(url, work, ['--quiet', '--no-checkout']);
    const repo = git(work);
    const exists = await sha(repo, `origin/${opts.branch}`);
    await repo.checkout(exists ? ['-B', opts.branch, `origin/${opts.branch}`] : ['--orphan', opts.branch]);
    await replaceTree(work, opts.files);
    await repo.add(['-A']);
    if ((await repo.status()).isClean() && exists) return { committed: false, commit: exists, sourceCommit };
    await repo.addConfig('user.name', 'palisade').addConfig('user.email', 'palisade@localhost');
    await repo.commit(`palisade: render ${sourceCommit.slice(0, 12)}\n\nSource-Commit: ${sourceCommit}\n`);
    const commit = (await sha(repo, 'HEAD'))!;
    await repo.push('origin', `HEAD:refs/heads/${opts.branch}`).catch((e: Error) => {
      throw new PalisadeError('GitFailed', `The remote ${url} refused the push to "${opts.branch}": ${e.message.trim().split('\n').slice(-3).join(' ')}`, { hint: 'check push permissions and branch protection; nothing was changed locally' });
    });
    await local.fetch([url, `+refs/heads/${opts.branch}:refs/heads/${opts.branch}`]).catch(() => undefined);
    return { committed: true, commit, sourceCommit };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
