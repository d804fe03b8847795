/**
 * Signed policy repositories for gate tests: real Git, offline SSH signing (`gpg.format=ssh`, keys
 * made by ssh-keygen here), a bare repository served over a path (what `--git` fetches), and
 * commits signed by alice (security), bob (platform), mallory (nobody's key) or unsigned.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from './cluster.js';
import { makeSource } from './source.js';

export type Signer = 'alice' | 'bob' | 'mallory';

const keys = mkdtempSync(join(tmpdir(), 'palisade-keys-'));
for (const who of ['alice', 'bob', 'mallory']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${who}@example.com`, '-f', join(keys, who)]);

export const publicKey = (who: Signer): string => readFileSync(join(keys, `${who}.pub`), 'utf8').trim();

export interface SignedRepo {
  readonly dir: string;
  readonly bare: string;
  readonly cluster: string;
  readonly namespace: string;
  /** The first commit (signed by alice): what an operator bootstraps the cluster from. */
  readonly first: string;
}

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
export const gitIn = (dir: string, ...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();

/** Commits everything in the working tree signed by `who` (or unsigned) and pushes it to the bare repository's main. */
export function commit(r: Pick<SignedRepo, 'dir' | 'bare'>, who: Signer | undefined, message: string): string {
  gitIn(r.dir, 'add', '-A');
  gitIn(r.dir, ...(who ? ['-c', `user.signingkey=${join(keys, who)}`, 'commit', '-q', '-S'] : ['commit', '-q', '--no-gpg-sign']), '--allow-empty', '-m', message);
  gitIn(r.dir, 'push', '-q', '--force', r.bare, 'HEAD:main');
  return gitIn(r.dir, 'rev-parse', 'HEAD');
}

/** The default rules: `security` (alice) for clusters/, policies/ and palisade.yaml, security or platform (bob) elsewhere. */
export const DEFAULT_RULES = `      - {paths: ["clusters/**", "policies/**", "palisade.yaml"], signers: [security]}
      - {paths: ["**"], signers: [security, platform]}
`;

/** A policy repository whose palisade.yaml requires signatures by `rules`, first commit signed by alice and pushed. */
export async function signedRepo(rules = DEFAULT_RULES): Promise<SignedRepo> {
  const suffix = uniqueName('sig');
  const { dir, cluster } = await makeSource(suffix);
  writeFileSync(join(dir, 'palisade.yaml'), `source:
  signatures:
    signers:
      security: ["${publicKey('alice')}"]
      platform: ["${publicKey('bob')}"]
    rules:
${rules}`);
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'config', 'gpg.format', 'ssh');
  const bare = `${dir}.git`;
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  const first = commit({ dir, bare }, 'alice', 'policies');
  return { dir, bare, cluster, namespace: `agents-${suffix}`, first };
}

/** A harmless change to the policies (a comment), so the commit touches a protected path. */
export const touchPolicies = (r: SignedRepo, text: string): void => appendFileSync(join(r.dir, 'policies', 'index.ts'), `// ${text}\n`);
