/**
 * OpenPGP-signed revisions with real Git and GnuPG (keys made offline by gpg here), side by side
 * with SSH: a commit signed by an allowed OpenPGP key passes, one signed by another OpenPGP key or
 * unsigned is refused with the path and the reason, and an SSH signer group still works in the same
 * configuration.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../test/support/tools.js';
import { verifyRange } from './verify.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-pgp-'));
const signing = join(root, 'gnupg');
const repo = join(root, 'repo');

function gpg(...args: string[]): string {
  return execFileSync('gpg', ['--homedir', signing, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { encoding: 'utf8' });
}

function fingerprintOf(uid: string): string {
  return gpg('--with-colons', '--list-keys', uid).split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
}

const gitIn = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: { ...process.env, GNUPGHOME: signing } });

/** Commits `files` signed by an OpenPGP key, an SSH key, or nobody; returns the sha. */
function commit(files: Record<string, string>, by?: { pgp: string } | { ssh: string }): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  gitIn('add', '-A');
  const sign = by === undefined ? ['--no-gpg-sign'] : 'pgp' in by ? ['-c', 'gpg.format=openpgp', '-c', `user.signingkey=${by.pgp}`] : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${by.ssh}`];
  const [flags, rest] = by === undefined ? [[], sign] : [sign, ['-S']];
  gitIn(...flags, 'commit', '-q', ...rest, '-m', Object.keys(files).join(' '));
  return gitIn('rev-parse', 'HEAD').trim();
}

describe.skipIf(skipWithout('gpg'))('signed revisions: OpenPGP keys', () => {
  let alice = '';
  let mallory = '';
  let base = '';
  beforeAll(() => {
    mkdirSync(signing, { mode: 0o700 });
    for (const who of ['Alice <alice@example.com>', 'Mallory <mallory@example.com>']) gpg('--quick-gen-key', who, 'ed25519', 'sign', 'never');
    alice = fingerprintOf('alice@example.com');
    mallory = fingerprintOf('mallory@example.com');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bob@example.com', '-f', join(root, 'bob')]);
    const alicePub = gpg('--armor', '--export', alice);
    const bobPub = readFileSync(join(root, 'bob.pub'), 'utf8').trim();
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    gitIn('config', 'user.name', 'test');
    gitIn('config', 'user.email', 'test@example.com');
    const config = { source: { signatures: { signers: { security: [alicePub], platform: [bobPub] }, rules: [{ paths: ['policies/**'], signers: ['security'] }, { paths: ['docs/**'], signers: ['security', 'platform'] }] } } };
    base = commit({ 'palisade.yaml': JSON.stringify(config, null, 2) }, { pgp: alice });
  });
  afterAll(() => {
    execFileSync('gpgconf', ['--homedir', signing, '--kill', 'gpg-agent']);
    rmSync(root, { recursive: true, force: true });
  });

  it('applies a commit signed by an allowed OpenPGP key, and names the group', async () => {
    const head = commit({ 'policies/a.ts': 'export {};\n' }, { pgp: alice });
    const v = await verifyRange(repo, base, head);
    expect(v).toMatchObject({ required: true, checked: 1, failures: [], signedBy: ['security'] });
    base = head;
  });

  it('refuses a commit signed by an OpenPGP key no group holds, naming the commit, the path and the key', async () => {
    const head = commit({ 'policies/b.ts': 'export {};\n' }, { pgp: mallory });
    const v = await verifyRange(repo, base, head);
    expect(v.failures).toHaveLength(1);
    expect(v.failures[0]).toMatchObject({ sha: head, path: 'policies/b.ts' });
    expect(v.failures[0]!.reason).toMatch(/^is signed by a key no signer group holds \(.+\); it needs signers security/);
    expect(v.failures[0]!.reason).toContain(mallory.slice(-16));
  });

  it('refuses an unsigned commit behind a signed head (every commit of the range is judged)', async () => {
    const unsigned = commit({ 'policies/c.ts': 'export {};\n' });
    const head = commit({ 'docs/readme.md': 'x\n' }, { pgp: alice });
    const v = await verifyRange(repo, unsigned + '~1', head);
    expect(v.failures.map((f) => [f.sha, f.path, f.reason.split(';')[0]])).toEqual([[unsigned, 'policies/c.ts', 'is not signed']]);
  });

  it('lets an SSH signer group of the same configuration sign where its rule allows, and not elsewhere', async () => {
    const docs = commit({ 'docs/ssh.md': 'x\n' }, { ssh: join(root, 'bob') });
    expect((await verifyRange(repo, docs + '~1', docs)).failures).toEqual([]);
    const policies = commit({ 'policies/d.ts': 'export {};\n' }, { ssh: join(root, 'bob') });
    const v = await verifyRange(repo, policies + '~1', policies);
    expect(v.failures[0]?.reason).toMatch(/^is signed by platform, outside the rule; it needs signers security/);
  });
});
