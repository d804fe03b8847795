import { describe, expect, it } from 'vitest';
import { judgeCommit, type CommitFacts } from './judge.js';
import type { SignatureConfig } from './config.js';

const rules: SignatureConfig = {
  signers: { security: ['ssh-ed25519 AAAA a'], platform: ['ssh-ed25519 BBBB b'] },
  rules: [{ paths: ['policies/**', 'clusters/**'], signers: ['security'] }, { paths: ['lib/**', 'docs/**'], signers: ['security', 'platform'] }],
};

const byPlatform = (files: string[]): CommitFacts => ({ sha: 'c'.repeat(40), files, signature: { status: 'good', groups: ['platform'] } });

describe('judgeCommit', () => {
  it('refuses a path no rule names (the rules fail closed)', () => {
    expect(judgeCommit(byPlatform(['README.md']), rules)).toMatchObject({ ok: false, path: 'README.md', reason: expect.stringMatching(/^matches no rule of source.signatures/) });
  });

  it('judges a change of lib/ as a change of the code synthesis runs: it needs the signers of policies/', () => {
    expect(judgeCommit(byPlatform(['docs/a.md']), rules)).toMatchObject({ ok: true });
    expect(judgeCommit(byPlatform(['lib/render/x.ts']), rules)).toMatchObject({ ok: false, path: 'lib/render/x.ts', reason: expect.stringContaining('changes the code synthesis runs, which the rule of policies/index.ts protects') });
    expect(judgeCommit({ ...byPlatform(['lib/render/x.ts']), signature: { status: 'good', groups: ['security'] } }, rules)).toMatchObject({ ok: true });
  });
});
