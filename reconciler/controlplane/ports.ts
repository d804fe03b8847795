import { createServer } from 'node:net';
import { PalisadeError } from '../../lib/core/errors.js';

/** Binds 127.0.0.1:`port` (0 = any) and releases it; resolves to the port or rejects with the bind error. */
function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return probe(0);
}

/** Throws PortInUse when 127.0.0.1:`port` cannot be bound, naming who asked for it. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  try {
    await probe(port);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new PalisadeError('PortInUse', `Cannot use 127.0.0.1:${port} for ${purpose}: ${code === 'EADDRINUSE' ? 'the port is already in use' : String(cause)}.`, {
      hint: 'Stop whatever listens there (ss -ltnp), pick another port, or omit the port option to let palisade choose a free one.',
      cause,
    });
  }
}
