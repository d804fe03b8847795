/**
 * Whether one commit is signed as the rules require (pure). Per file the commit touches, the first
 * rule whose glob matches decides which signer groups may sign; a commit that touches a protected
 * path must carry a good signature by a key of one of those groups.
 */
import picomatch from 'picomatch';
import type { SignatureConfig, SignatureRule } from './config.js';

export type SignatureStatus = 'good' | 'untrusted' | 'none' | 'bad';

export interface CommitFacts {
  readonly sha: string;
  /** Paths the commit changes against its first parent (all paths of a root commit). */
  readonly files: readonly string[];
  readonly signature: { readonly status: SignatureStatus; readonly groups: readonly string[]; readonly key?: string };
}

export type CommitVerdict =
  | { readonly ok: true; readonly sha: string; readonly signedBy: readonly string[] }
  | { readonly ok: false; readonly sha: string; readonly path: string; readonly reason: string };

/** The first rule matching `path`, if any. */
export function ruleFor(config: SignatureConfig, path: string): SignatureRule | undefined {
  return config.rules.find((r) => picomatch.isMatch(path, [...r.paths], { dot: true }));
}

function refusal(c: CommitFacts, rule: SignatureRule): string {
  const need = `signers ${rule.signers.join(' or ')} (rule ${rule.paths.join(', ')})`;
  switch (c.signature.status) {
    case 'none': return `is not signed; it needs ${need}`;
    case 'bad': return `has a bad signature; it needs ${need}`;
    case 'untrusted': return `is signed by a key no signer group holds (${c.signature.key ?? 'unknown key'}); it needs ${need}`;
    case 'good': return `is signed by ${c.signature.groups.join(', ')}, outside the rule; it needs ${need}`;
  }
}

export function judgeCommit(c: CommitFacts, config: SignatureConfig): CommitVerdict {
  for (const path of c.files) {
    const rule = ruleFor(config, path);
    if (rule === undefined) continue;
    const allowed = c.signature.status === 'good' && c.signature.groups.some((g) => rule.signers.includes(g));
    if (!allowed) return { ok: false, sha: c.sha, path, reason: refusal(c, rule) };
  }
  return { ok: true, sha: c.sha, signedBy: c.signature.status === 'good' ? c.signature.groups : [] };
}
