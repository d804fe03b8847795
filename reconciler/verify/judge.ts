/**
 * Whether one commit is signed as the rules require (pure). Per file the commit touches, the first
 * rule whose glob matches decides which signer groups may sign; a commit that touches a protected
 * path must carry a good signature by a key of one of those groups. A path no rule matches is
 * refused (the rules fail closed). lib/ and policies/ are the code synthesis runs, one unit: a
 * commit touching either is also judged as touching both entry points.
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

/** The entry points of the code synthesis runs; a change anywhere in it is a change of all of it. */
export const SYNTHESIS_UNIT = ['lib/index.ts', 'policies/index.ts'] as const;

const inUnit = (path: string): boolean => path.startsWith('lib/') || path.startsWith('policies/');

/**
 * The paths a commit is judged on: its files (each must match a rule), and, when it touches the
 * synthesis unit, the unit's entry points (judged where a rule names them).
 */
export function judgedPaths(files: readonly string[]): Array<{ readonly path: string; readonly touched: boolean }> {
  const unit = files.some(inUnit) ? SYNTHESIS_UNIT.filter((p) => !files.includes(p)) : [];
  return [...files.map((path) => ({ path, touched: true })), ...unit.map((path) => ({ path, touched: false }))];
}

export function judgeCommit(c: CommitFacts, config: SignatureConfig): CommitVerdict {
  for (const { path, touched } of judgedPaths(c.files)) {
    const rule = ruleFor(config, path);
    if (rule === undefined && !touched) continue;
    if (rule === undefined) return { ok: false, sha: c.sha, path, reason: 'matches no rule of source.signatures (a path no rule names is refused; add a catch-all rule, paths: ["**"])' };
    const allowed = c.signature.status === 'good' && c.signature.groups.some((g) => rule.signers.includes(g));
    if (allowed) continue;
    if (touched) return { ok: false, sha: c.sha, path, reason: refusal(c, rule) };
    const changed = c.files.find(inUnit) ?? path;
    return { ok: false, sha: c.sha, path: changed, reason: `changes the code synthesis runs, which the rule of ${path} protects, and ${refusal(c, rule)}` };
  }
  return { ok: true, sha: c.sha, signedBy: c.signature.status === 'good' ? c.signature.groups : [] };
}
