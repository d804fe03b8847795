/**
 * Verifies the commits between the last applied revision and a new one (I/O: real git). The rules
 * come from the last applied revision's palisade.yaml, so a commit cannot relax the rules that
 * judge it; on a cluster's first apply from the new revision itself (trust on first use). Every
 * commit in `from..to` that touches a protected path is judged, not only the head.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { PalisadeError } from '../../lib/core/errors.js';
import { git } from '../source/source.js';
import { parseSignatureConfig, type SignatureConfig } from './config.js';
import { judgeCommit, type CommitFacts, type CommitVerdict, type SignatureStatus } from './judge.js';

export interface RangeVerdict {
  /** False: the rules in effect require no signatures. */
  readonly required: boolean;
  readonly from?: string;
  readonly to: string;
  /** Commits judged. */
  readonly checked: number;
  readonly failures: ReadonlyArray<Extract<CommitVerdict, { ok: false }>>;
  /** Signer groups of the head commit's signature (empty when unsigned). */
  readonly signedBy: readonly string[];
}

const STATUS: Readonly<Record<string, SignatureStatus>> = { G: 'good', U: 'untrusted', N: 'none' };

async function fileAt(repoDir: string, rev: string, path: string): Promise<string | undefined> {
  return git(repoDir).raw(['show', `${rev}:${path}`]).catch(() => undefined);
}

async function exists(repoDir: string, rev: string): Promise<boolean> {
  return git(repoDir).raw(['cat-file', '-e', `${rev}^{commit}`]).then(() => true, () => false);
}

/** One allowed-signers line per distinct key, principal `k<i>`; returns the file and principal → groups. */
async function allowedSigners(config: SignatureConfig, dir: string): Promise<{ file: string; groups: Map<string, string[]> }> {
  const byKey = new Map<string, string[]>();
  for (const [group, keys] of Object.entries(config.signers)) {
    for (const k of keys) {
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

async function factsOf(repoDir: string, sha: string, signers: { file: string; groups: Map<string, string[]> }): Promise<CommitFacts> {
  const files = (await git(repoDir).raw(['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', '-m', '--first-parent', sha])).split('\n').filter(Boolean);
  const [status = 'N', principal = '', key = ''] = (await git(repoDir).raw(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers.file}`, 'log', '-1', '--format=%G?%x1f%GS%x1f%GK', sha])).trim().split('\x1f');
  const s = STATUS[status] ?? 'bad';
  return { sha, files, signature: { status: s, groups: s === 'good' ? signers.groups.get(principal) ?? [] : [], ...(key ? { key } : {}) } };
}

/** Commits in `from..to`, oldest first; just `to` without `from` (a first apply). */
async function rangeCommits(repoDir: string, from: string | undefined, to: string): Promise<string[]> {
  if (from === undefined) return [to];
  return (await git(repoDir).raw(['rev-list', '--reverse', `${from}..${to}`])).split('\n').filter(Boolean);
}

/** Verifies `from..to` (just `to` when `from` is undefined) in the repository at `repoDir`. */
export async function verifyRange(repoDir: string, from: string | undefined, to: string): Promise<RangeVerdict> {
  if (from !== undefined && !(await exists(repoDir, from))) {
    throw new PalisadeError('GitFailed', `the last applied revision ${from.slice(0, 12)} is not in the repository: the commits since it cannot be verified`, { hint: 'history was rewritten; apply a revision on top of the last applied one, or re-bootstrap the cluster deliberately' });
  }
  const rules = parseSignatureConfig(await fileAt(repoDir, from ?? to, 'palisade.yaml'), `palisade.yaml at ${(from ?? to).slice(0, 12)}`);
  if (rules === undefined) return { required: false, ...(from === undefined ? {} : { from }), to, checked: 0, failures: [], signedBy: [] };
  const commits = await rangeCommits(repoDir, from, to);
  const dir = await mkdtemp(join(tmpdir(), 'palisade-verify-'));
  try {
    const signers = await allowedSigners(rules, dir);
    // A few git processes at a time: a range after a long outage can hold hundreds of commits.
    const limit = pLimit(4);
    const facts = await Promise.all(commits.map((c) => limit(() => factsOf(repoDir, c, signers))));
    const verdicts = facts.map((f) => judgeCommit(f, rules));
    const head = facts.find((f) => f.sha === to) ?? await factsOf(repoDir, to, signers);
    return {
      required: true, ...(from === undefined ? {} : { from }), to, checked: commits.length,
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
