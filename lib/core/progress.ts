/**
 * Progress for long work (building binaries, applying thousands of objects). Commands write it
 * to stderr so stdout stays machine-readable.
 */
export interface Progress {
  /** A new phase of work, printed on its own line. */
  step(message: string): void;
  /** Progress inside the current phase; may be throttled or overwrite the previous tick. */
  tick(message: string): void;
}

export const silentProgress: Progress = { step: () => undefined, tick: () => undefined };

/** Progress on a stream: ticks overwrite one line on a TTY, and are throttled elsewhere. */
export function streamProgress(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000): Progress {
  let lastTick = 0;
  let pendingLine = false;
  const endLine = (): void => {
    if (pendingLine) stream.write('\n');
    pendingLine = false;
  };
  return {
    step(message) {
      endLine();
      stream.write(`• ${message}\n`);
    },
    tick(message) {
      const now = Date.now();
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K  ${message}`);
        pendingLine = true;
      } else if (now - lastTick >= intervalMs) {
        stream.write(`  ${message}\n`);
        lastTick = now;
      }
    },
  };
}
