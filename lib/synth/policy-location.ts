import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPalisadeError, PalisadeError } from '../core/errors.js';

/** File, line and column of one stack frame line. */
function frameOf(line: string): { file: string; line: string; column: string } | undefined {
  const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
  if (m === null) return undefined;
  return { file: m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!, line: m[2]!, column: m[3]! };
}

/**
 * palisade's own lib/ as stack frames name it (errors are located in the policy code that called
 * into it): where this module runs from, and, when source maps apply (the synthesis sandbox runs
 * compiled code), the source directory its frames map to.
 */
const LIB_DIRS: readonly string[] = [...new Set([
  fileURLToPath(new URL('..', import.meta.url)),
  ...[frameOf((new Error().stack ?? '').split('\n')[1] ?? '')].filter((f) => f !== undefined).map((f) => join(dirname(f.file), '..') + sep),
])];

/** `policies/index.ts:38:27`: the innermost stack frame in policy code (not lib/, not node_modules). */
export function policyFrame(error: Error, cwd = process.cwd()): string | undefined {
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const f = frameOf(line);
    if (f === undefined || LIB_DIRS.some((d) => f.file.startsWith(d)) || f.file.includes(`${sep}node_modules${sep}`)) continue;
    return `${relative(cwd, f.file)}:${f.line}:${f.column}`;
  }
  return undefined;
}

/**
 * An error thrown while the policy code builds its construct tree (an invalid `Port.tcp(70000)`, a
 * TypeError in user code), prefixed with the cluster and the line of policy code that raised it.
 */
export function policyCodeError(cluster: string, error: unknown): PalisadeError {
  const e = error instanceof Error ? error : new Error(String(error));
  const where = policyFrame(e);
  const prefix = `cluster ${cluster}: ${where === undefined ? 'policy code' : where}`;
  return new PalisadeError(isPalisadeError(e) ? e.code : 'SynthFailed', `${prefix}: ${e.message}`, { cause: e, ...(isPalisadeError(e) && e.hint !== undefined ? { hint: e.hint } : {}) });
}
