/** A problem found at synth, tied to the construct that caused it. Reported together, never one by one. */
export type IssueCode =
  | 'DuplicateName'
  | 'UnknownReference'
  | 'ZoneConflict'
  | 'CrossZone'
  | 'PortNotServed'
  | 'PortsRequired'
  | 'EmptySelector'
  | 'SelectorOverlap'
  | 'IdentityConflict'
  | 'GpuTenancyConflict'
  | 'WideCidrFallback'
  | 'UnsupportedByBackend'
  | 'SandboxBlindSpot'
  | 'SchemaInvalid'
  | 'InvariantViolated';

export interface SynthIssue {
  readonly code: IssueCode;
  /** Construct path (or object id for schema problems). */
  readonly path: string;
  readonly message: string;
  /** What the user can do about it. */
  readonly hint?: string;
}

export function formatIssues(issues: readonly SynthIssue[], cluster?: string): string {
  const where = cluster === undefined ? '' : ` for cluster "${cluster}"`;
  const lines = issues.map((i) => `  [${i.path}] ${i.code}: ${i.message}${i.hint ? `\n      fix: ${i.hint}` : ''}`);
  return `Synthesis failed${where} with ${issues.length} error(s):\n${lines.join('\n')}`;
}
