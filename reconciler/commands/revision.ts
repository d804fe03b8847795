/** The revision flags name (no Kubernetes client: offline commands load only this). */
import { resolveSource, type Checkout, type SourceSpec } from '../source/source.js';

/** Which revision: a working tree (`--source DIR`) or a Git repository (`--git URL --ref REF`). */
export interface RevisionFlags {
  readonly source: string;
  readonly git?: string;
  readonly ref: string;
}

/** Which policies, which clusters, which revision: the vocabulary every command shares. */
export interface SourceFlags extends RevisionFlags {
  readonly cluster: string[];
  /** Deprecated: the policies module, relative to the current directory. */
  readonly policies?: string;
  /** Deprecated: the clusters directory. */
  readonly clusters?: string;
}

export function sourceOf(flags: RevisionFlags): SourceSpec {
  return flags.git ? { kind: 'git', url: flags.git, ref: flags.ref } : { kind: 'local', dir: flags.source };
}

/** The checkout of the flags' revision (a worktree per commit for --git). */
export function checkoutOf(flags: RevisionFlags): Promise<Checkout> {
  return resolveSource(sourceOf(flags));
}
