import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPalisadeError, PalisadeError } from '../core/errors.js';

/** palisade's own lib/ (errors are located in the policy code that called into it). */
const LIB_DIR = fileURLToPath(new URL('..', import.meta.url));

/** `policies/index.ts:38:27`: the innermost stack frame in policy code (not lib/, not node_modules). */
export function policyFrame(error: Error, cwd = process.cwd()): string | undefined {
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m === null) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(LIB_DIR) || file.includes(`${sep}node_modules${sep}`)) continue;
    return `${relative(cwd, file)}:${m[2]}:${m[3]}`;
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
