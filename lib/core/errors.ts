/**
 * palisade's error vocabulary. Every error carries a stable `code` (for tests and tooling),
 * a human message that names the object, file or construct at fault, and, where possible,
 * a `hint` saying how to fix it. Detect them with {@link isPalisadeError}, never by message.
 */
const PALISADE_ERROR = Symbol.for('palisade.error');

/** Stable error codes. Closed vocabulary: add here, never inline. */
export type ErrorCode =
  | 'GoMissing'
  | 'GoBuildFailed'
  | 'CacheUnwritable'
  | 'BinaryCorrupt'
  | 'PortInUse'
  | 'ProcessExited'
  | 'NotReady'
  | 'ClusterNotRunning'
  | 'ClusterUnreachable'
  | 'KubeconfigInvalid'
  | 'CrdInstallFailed'
  | 'InvalidInput'
  | 'ValidationFailed'
  | 'SynthFailed'
  | 'UnsupportedByBackend'
  | 'ApplyFailed'
  | 'PruneRefused'
  | 'GitFailed';

export interface PalisadeErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
}

export class PalisadeError extends Error {
  public readonly code: ErrorCode;
  public readonly hint: string | undefined;

  public constructor(code: ErrorCode, message: string, options: PalisadeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PalisadeError';
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, PALISADE_ERROR, { value: true });
  }
}

/** True for any error raised by palisade (works across module copies, unlike instanceof). */
export function isPalisadeError(e: unknown): e is PalisadeError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[PALISADE_ERROR] === true;
}

/** Message plus hint, for printing to a terminal. */
export function describeError(e: unknown): string {
  if (isPalisadeError(e)) {
    return e.hint === undefined ? `${e.message}` : `${e.message}\n  hint: ${e.hint}`;
  }
  return e instanceof Error ? e.message : String(e);
}
