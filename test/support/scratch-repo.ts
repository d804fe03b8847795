import { execFile } from 'node:child_process';
import { mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './shared.js';

const exec = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };

/** git in `cwd` as a test author; stdout. */
export const gitAt = async (cwd: string, args: readonly string[]): Promise<string> => (await exec('git', [...args], { cwd, env: GIT_ENV })).stdout;

/** A repository made from this one's files as they are now (node_modules linked), one commit: the base of a pull request. */
export async function scratchRepo(): Promise<string> {
  const repo = await mkdtemp(join(tmpdir(), 'palisade-diff-repo-'));
  await exec('sh', ['-c', `git -C "${REPO_ROOT}" ls-files -z --cached --others --exclude-standard | tar -C "${REPO_ROOT}" --null --ignore-failed-read -T - -c | tar -x -C "${repo}"`]);
  await symlink(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  await gitAt(repo, ['init', '-q']);
  await gitAt(repo, ['add', '-A']);
  await gitAt(repo, ['commit', '-qm', 'template']);
  return repo;
}

/** Replaces `from` with `to` in `file` of the working tree (the pull request's edit); fails when `from` is absent. */
export async function edit(repo: string, file: string, from: string, to: string): Promise<void> {
  const path = join(repo, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(path, text.replace(from, to));
}
