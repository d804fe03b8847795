/**
 * Verifies the commits between a baseline (the last admitted revision, or one the operator
 * vouches for) and a new one (I/O: real git). The rules come from the baseline's palisade.yaml,
 * so a commit cannot relax the rules that judge it. Every commit in `from..to` is judged, and the
 * head always is (also when it is the baseline, or a rollback behind it).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { PalisadeError } from '../../lib/core/errors.js';
import { git } from '../source/source.js';
import { isPgpKey, parseSignatureConfig, type SignatureConfig } from './config.js';
import { judgeCommit, type CommitFacts, type CommitVerdict, type SignatureStatus } from './judge.js';

export interface RangeVerdict {
  /** False: the rules in effect require no signatures. */
  readonly required: boolean;
  readonly from: string;
  readonly to: string;
  /** Commits judged. */
  readonly checked: number;
  readonly failures: ReadonlyArray<Extract<CommitVerdict, { ok: false }>>;
  /** Signer groups of the head commit's signature (empty when unsigned). */
  readonly signedBy: readonly string[];
}

// E: git could not check the signature, i.e. the key is in no signer group (the keyring holds only theirs).
const STATUS: Readonly<Record<string, SignatureStatus>> = { G: 'good', U: 'untrusted', E: 'untrusted', N: 'none' };

async function fileAt(repoDir: string, rev: string, path: string): Promise<string | undefined> {
  return git(repoDir).raw(['show', `${rev}:${path}`]).catch(() => undefined);
}

/** Whether `rev` names a commit of the repository at `repoDir`. */
export async function commitExists(repoDir: string, rev: string): Promise<boolean> {
  return git(repoDir).raw(['cat-file', '-e', `${rev}^{commit}`]).then(() => true, () => false);
}

/** What git verifies against: an allowed-signers file for SSH keys, a keyring for OpenPGP keys. */
interface Keys {
  readonly ssh: { readonly file: string; readonly groups: ReadonlyMap<string, string[]> };
  /** GNUPGHOME holding exactly the configured OpenPGP keys; fingerprint (primary and subkeys) → groups. */
  readonly pgp?: { readonly home: string; readonly groups: ReadonlyMap<string, string[]> };
}

/** One allowed-signers line per distinct key, principal `k<i>`; returns the file and principal → groups. */
async function allowedSigners(config: SignatureConfig, dir: string): Promise<Keys['ssh']> {
  const byKey = new Map<string, string[]>();
  for (const [group, keys] of Object.entries(config.signers)) {
    for (const k of keys.filter((x) => !isPgpKey(x))) {
      const key = k.trim().split(/\s+/).slice(0, 2).join(' ');
      byKey.set(key, [...(byKey.get(key) ?? []), group]);
    }
  }
  const groups = new Map<string, string[]>();
  const lines = [...byKey].map(([key, g], i) => { groups.set(`k${i}`, g); return `k${i} ${key}`; });
  const file = join(dir, 'allowed_signers');
  await writeFile(file, `${lines.join('\n')}\n`);
  return { file, groups };
}

/** Runs gpg on a keyring of its own (no agent needed: it only imports and verifies). */
function gpg(home: string, args: readonly string[], input?: string): string {
  const r = spawnSync('gpg', ['--homedir', home, '--batch', '--no-tty', '--quiet', ...args], { input, encoding: 'utf8' });
  if (r.error !== undefined) throw new PalisadeError('GitFailed', `gpg is needed to verify OpenPGP signatures: ${r.error.message}`, { hint: 'install GnuPG (gpg), or sign with SSH keys' });
  if (r.status !== 0) throw new PalisadeError('InvalidInput', `palisade.yaml source.signatures: an OpenPGP key cannot be read by gpg: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  return r.stdout;
}

/** A keyring with only the configured OpenPGP keys, each fully trusted (so git reports G for a good signature). */
async function pgpKeyring(config: SignatureConfig, dir: string): Promise<Keys['pgp']> {
  const entries = Object.entries(config.signers).flatMap(([group, keys]) => keys.filter(isPgpKey).map((key) => ({ group, key })));
  if (entries.length === 0) return undefined;
  const home = join(dir, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  const groups = new Map<string, string[]>();
  const primaries = new Set<string>();
  for (const { group, key } of entries) {
    const listed = gpg(home, ['--with-colons', '--import-options', 'show-only', '--import'], key).split('\n');
    const fprs = listed.filter((l) => l.startsWith('fpr:')).map((l) => l.split(':')[9] ?? '').filter(Boolean);
    if (fprs[0] !== undefined) primaries.add(fprs[0]);
    for (const f of fprs) groups.set(f, [...new Set([...(groups.get(f) ?? []), group])]);
    gpg(home, ['--import'], key);
  }
  gpg(home, ['--import-ownertrust'], [...primaries].map((f) => `${f}:6:\n`).join(''));
  return { home, groups };
}

/** Groups of a good signature: by principal for SSH (its fingerprint reads SHA256:…), by key fingerprint for OpenPGP. */
function groupsOf(keys: Keys, f: { principal: string; fingerprint: string; primary: string }): string[] {
  if (f.fingerprint.startsWith('SHA256:')) return keys.ssh.groups.get(f.principal) ?? [];
  return keys.pgp?.groups.get(f.primary) ?? keys.pgp?.groups.get(f.fingerprint) ?? [];
}

/** Paths a commit changes against its first parent (all paths of a root commit), byte-exact (`-z`: never quoted). */
async function filesOf(repoDir: string, sha: string): Promise<string[]> {
  const out = await git(repoDir).raw(['-c', 'core.quotePath=false', 'diff-tree', '-z', '--no-commit-id', '--name-only', '-r', '--root', '-m', '--first-parent', sha]);
  return out.split('\0').filter(Boolean);
}

async function factsOf(repoDir: string, sha: string, keys: Keys): Promise<CommitFacts> {
  const files = await filesOf(repoDir, sha);
  const env = keys.pgp ? { GNUPGHOME: keys.pgp.home } : {};
  const out = await git(repoDir, env).raw(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${keys.ssh.file}`, 'log', '-1', '--format=%G?%x1f%GS%x1f%GK%x1f%GF%x1f%GP', sha]);
  const [status = 'N', principal = '', key = '', fingerprint = '', primary = ''] = out.trim().split('\x1f');
  const s = STATUS[status] ?? 'bad';
  return { sha, files, signature: { status: s, groups: s === 'good' ? groupsOf(keys, { principal, fingerprint, primary }) : [], ...(key ? { key } : {}) } };
}

/** Commits judged: `from..to` oldest first, and the head whether or not the range holds it. */
async function rangeCommits(repoDir: string, from: string, to: string): Promise<string[]> {
  const range = (await git(repoDir).raw(['rev-list', '--reverse', `${from}..${to}`])).split('\n').filter(Boolean);
  return range.includes(to) ? range : [...range, to];
}

/** Verifies `from..to` and the head `to` in the repository at `repoDir`, by the rules at `from`. */
export async function verifyRange(repoDir: string, from: string, to: string): Promise<RangeVerdict> {
  if (!(await commitExists(repoDir, from))) {
    throw new PalisadeError('GitFailed', `the baseline revision ${from.slice(0, 12)} is not in the repository: the commits since it cannot be verified`, { hint: 'history was rewritten; apply a revision on top of the last applied one, or re-bootstrap the cluster deliberately (--trust-revision)' });
  }
  const rules = parseSignatureConfig(await fileAt(repoDir, from, 'palisade.yaml'), `palisade.yaml at ${from.slice(0, 12)}`);
  if (rules === undefined) return { required: false, from, to, checked: 0, failures: [], signedBy: [] };
  const commits = await rangeCommits(repoDir, from, to);
  const dir = await mkdtemp(join(tmpdir(), 'palisade-verify-'));
  try {
    const signers: Keys = { ssh: await allowedSigners(rules, dir), ...(await pgpKeyring(rules, dir).then((pgp) => (pgp ? { pgp } : {}))) };
    // A few git processes at a time: a range after a long outage can hold hundreds of commits.
    const limit = pLimit(4);
    const facts = await Promise.all(commits.map((c) => limit(() => factsOf(repoDir, c, signers))));
    const verdicts = facts.map((f) => judgeCommit(f, rules));
    const head = facts.find((f) => f.sha === to)!;
    return {
      required: true, from, to, checked: commits.length,
      failures: verdicts.filter((v): v is Extract<CommitVerdict, { ok: false }> => !v.ok),
      signedBy: head.signature.status === 'good' ? head.signature.groups : [],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `commit 1a2b3c4d5e6f touches clusters/prod-a/cluster.yaml and is not signed; …` */
export function describeRefusals(v: RangeVerdict): string {
  return v.failures.map((f) => `commit ${f.sha.slice(0, 12)} touches ${f.path} and ${f.reason}`).join('\n');
}
