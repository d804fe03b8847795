/**
 * The synthesis sandbox's entry point, run as a child process with Node's permission model: it may
 * read the compiled checkout (with its copy of clusters/) and palisade's node_modules, nothing else
 * (no kubeconfig, no ServiceAccount token), and may not write files, reach the network, start
 * processes or threads. It loads the revision's own lib/ and policies/, synthesizes, and sends
 * plain data back over IPC.
 *
 * Self-contained on purpose (node builtins only): it is copied into every compiled checkout and
 * must not load palisade's code from anywhere but the checkout.
 */
import { pathToFileURL } from 'node:url';
import type { SandboxRequest, SandboxResponse, WireError } from './protocol.js';

interface LibModule {
  synthesize: (define: unknown, cluster: unknown) => unknown;
  loadCluster: (dir: string, name: string) => Promise<unknown>;
  listClusters: (dir: string) => Promise<string[]>;
}

const PALISADE_ERROR = Symbol.for('palisade.error');

/** The innermost cause the permission model raised, if any. */
function denied(e: unknown): { permission?: string; resource?: string } | undefined {
  for (let c = e as { code?: unknown; cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c.code === 'ERR_ACCESS_DENIED') return c as { permission?: string; resource?: string };
  }
  return undefined;
}

function wire(e: unknown): WireError {
  const err = e as { message?: unknown; code?: unknown; hint?: unknown } & Record<symbol, unknown>;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const d = denied(e);
  if (d) {
    return { code: 'SynthFailed', message, hint: `the synthesis sandbox denied ${d.permission ?? 'access'}${d.resource ? ` to ${d.resource}` : ''}: policy code runs without cluster credentials and may read only the repository's lib/, policies/ and clusters/, reach no network, write nothing and start no processes` };
  }
  if (err?.[PALISADE_ERROR] !== true) return { message };
  return { code: String(err.code), message, ...(typeof err.hint === 'string' ? { hint: err.hint } : {}) };
}

async function synthesizeAll(req: SandboxRequest): Promise<SandboxResponse> {
  const lib = (await import(pathToFileURL(req.lib).href)) as LibModule;
  const mod = (await import(pathToFileURL(req.policies).href)) as { definePolicies?: unknown };
  if (typeof mod.definePolicies !== 'function') {
    return { kind: 'failed', error: { code: 'InvalidInput', message: 'the policies module does not export a function definePolicies(scope, cluster)' } };
  }
  const names = req.names.length > 0 ? req.names : await lib.listClusters(req.clusters);
  if (names.length === 0) return { kind: 'failed', error: { code: 'InvalidInput', message: `no clusters found in ${req.clusters} (each needs <name>/cluster.yaml)` } };
  const results: unknown[] = [];
  const errors: WireError[] = [];
  for (const name of names) {
    try {
      results.push(lib.synthesize(mod.definePolicies, await lib.loadCluster(req.clusters, name)));
    } catch (e) {
      errors.push(wire(e));
    }
  }
  return { kind: 'done', results: results as never, errors };
}

function reply(msg: SandboxResponse): void {
  process.send?.(msg, () => process.exit(0));
}

process.once('message', (req: SandboxRequest) => {
  synthesizeAll(req).then(reply, (e: unknown) => reply({ kind: 'failed', error: wire(e) }));
});
