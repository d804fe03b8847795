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

/** The instant policy code sees as "now": synthesis is a function of the revision's files, not of when it ran. */
const FIXED_NOW = Date.UTC(2000, 0, 1);

/**
 * A fixed clock and seeded randomness, installed before any of the revision's code loads, so the
 * reviewed synthesis and the applied one cannot differ by when or how often they ran.
 */
function makeHermetic(): void {
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(FIXED_NOW);
      else super(...(args as [string]));
    }

    static override now(): number { return FIXED_NOW; }
  }
  globalThis.Date = FixedDate as DateConstructor;
  // mulberry32 with a fixed seed.
  let state = 0x2545f491;
  Math.random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  makeHermetic();
  synthesizeAll(req).then(reply, (e: unknown) => reply({ kind: 'failed', error: wire(e) }));
});
