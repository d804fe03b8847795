import { describeError } from '../../lib/core/errors.js';
import { EXIT } from '../commands/exit.js';

export { EXIT };

/**
 * Wraps a command action: errors are printed as one readable message (with a hint) on stderr and
 * set exit code 2; the action's own result sets the exit code otherwise. Never calls process.exit.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.stderr.write(`palisade: error: ${describeError(e)}\n`);
      if (process.env['PALISADE_DEBUG'] && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      process.exitCode = EXIT.error;
    }
  };
}
