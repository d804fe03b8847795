/**
 * Runs a revision's policy code in a child process that holds no cluster credentials: Node's
 * permission model limits it to reading the compiled tree (copies of the checkout's lib/,
 * policies/ and clusters/, never a link out of it) and palisade's node_modules (no kubeconfig, no
 * ServiceAccount token, no /proc, no writes, no processes or threads) and denies it the network
 * (sockets, DNS, fetch: see runtime.ts for the Node that enforces it); its environment is empty,
 * and it has a time limit, a heap limit and, on Linux, a cap on all its memory. Only plain data
 * comes back.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PalisadeError, type ErrorCode } from '../../lib/core/errors.js';
import type { SynthResult } from '../../lib/synth/synthesize.js';
import { compileCheckout, type CompiledTree } from './compile.js';
import { sandboxRuntime } from './runtime.js';
import { memoEnabled, recall, remember, synthesisKey } from './memo.js';
import type { SandboxRequest, SandboxResponse, WireError } from './protocol.js';

export interface SandboxLimits {
  readonly timeoutMs: number;
  readonly heapMb: number;
}

/** Limits from `PALISADE_SYNTH_TIMEOUT` (seconds, default 120) and `PALISADE_SYNTH_MEMORY` (MB, default 2048). */
export function sandboxLimits(env: NodeJS.ProcessEnv = process.env): SandboxLimits {
  const num = (name: string, fallback: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new PalisadeError('InvalidInput', `${name}=${v} is not a positive number`);
    return n;
  };
  return { timeoutMs: num('PALISADE_SYNTH_TIMEOUT', 120) * 1000, heapMb: num('PALISADE_SYNTH_MEMORY', 2048) };
}

export interface SynthesisRequest {
  /** The checkout: lib/, policies/ and clusters/ are read from here. */
  readonly source: string;
  /** Named in every error (`local` or a commit SHA). */
  readonly revision: string;
  /** The policies module, relative to `source`. @default policies/index.ts */
  readonly policies?: string;
  /** The clusters directory. @default <source>/clusters */
  readonly clusters?: string;
  /** Clusters to synthesize; empty: all. */
  readonly names: readonly string[];
}

export interface SynthesisOutcome {
  readonly results: SynthResult[];
  /** One per cluster that failed, each naming the cluster. */
  readonly errors: PalisadeError[];
  /** Read from the synthesis memo (inputs unchanged since a run that succeeded): no sandbox started. */
  readonly remembered: boolean;
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>(['InvalidInput', 'ValidationFailed', 'SynthFailed', 'UnsupportedByBackend', 'GitFailed']);

/** `1a2b3c4d5e6f` for a commit, `1a2b3c4d5e6f+dirty` for a working tree on top of one. */
const shortRevision = (r: string): string => r.replace(/^([0-9a-f]{12})[0-9a-f]+/, '$1');

/** Names files as the repository does: the tree's copy of clusters/ is `clusters/`, its other files relative to the repository. */
const repositoryPaths = (tree: CompiledTree) => (text: string): string => text.replaceAll(`${tree.clusters}/`, 'clusters/').replaceAll(`${tree.dir}/`, '');

function fromWire(w: WireError, revision: string, paths: (text: string) => string): PalisadeError {
  const code = (w.code !== undefined && CODES.has(w.code) ? w.code : 'SynthFailed') as ErrorCode;
  const message = paths(revision === 'local' ? w.message : `revision ${shortRevision(revision)}: ${w.message}`);
  return new PalisadeError(code, message, w.hint === undefined ? {} : { hint: w.hint });
}

function policiesEntry(req: SynthesisRequest): string {
  const rel = req.policies ?? join('policies', 'index.ts');
  const within = isAbsolute(rel) ? relative(req.source, rel) : rel;
  if (within.startsWith('..') || isAbsolute(within)) {
    throw new PalisadeError('InvalidInput', `the policies module ${rel} is outside the repository ${req.source}`, { hint: 'keep policies inside the repository (default policies/index.ts)' });
  }
  if (!existsSync(join(req.source, within))) {
    throw new PalisadeError('InvalidInput', `Cannot load policies: ${join(req.source, within)} does not exist`, { hint: 'a policy repository has policies/index.ts exporting definePolicies(scope, cluster)' });
  }
  // A directory stands for its index.ts (as `--policies policies` reads to a user).
  if (statSync(join(req.source, within)).isDirectory()) {
    const index = join(within, 'index.ts');
    if (!existsSync(join(req.source, index))) throw new PalisadeError('InvalidInput', `Cannot load policies: ${join(req.source, within)} is a directory without index.ts`, { hint: 'name the module exporting definePolicies(scope, cluster), e.g. policies/index.ts' });
    return index;
  }
  if (!/\.(ts|js|mjs)$/.test(within)) throw new PalisadeError('InvalidInput', `Cannot load policies: ${join(req.source, within)} is not a TypeScript or JavaScript module`, { hint: 'name the module exporting definePolicies(scope, cluster), e.g. policies/index.ts' });
  return within;
}

interface Child { readonly response?: SandboxResponse; readonly code: number | null; readonly signal: string | null; readonly timedOut: boolean; readonly output: string }

function runChild(args: readonly string[], cwd: string, request: SandboxRequest, limits: SandboxLimits): Promise<Child> {
  const runtime = sandboxRuntime();
  return new Promise((done, fail) => {
    const child = spawn(runtime.command, [...runtime.prefix(limits.heapMb), ...args], { cwd, env: { LANG: 'C.UTF-8', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    let response: SandboxResponse | undefined;
    let timedOut = false;
    const keep = (d: Buffer): void => { process.stderr.write(d); output = (output + d.toString()).slice(-4000); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m: SandboxResponse) => { response = m; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, limits.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); fail(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); done({ ...(response ? { response } : {}), code, signal, timedOut, output }); });
    child.send(request);
  });
}

/** What Node and V8 say when the heap limit or the memory rlimit is reached. */
const OUT_OF_MEMORY = /heap out of memory|Allocation failed|Failed to allocate memory|Cannot allocate memory|Array buffer allocation failed|Fatal process out of memory/;

const outOfMemory = (at: string, limits: SandboxLimits): PalisadeError =>
  new PalisadeError('SynthFailed', `${at} ran out of memory (heap limit ${limits.heapMb} MB, Buffers and other memory capped with it) and was stopped`, { hint: 'raise PALISADE_SYNTH_MEMORY (MB) if the policies are only large' });

const synthesisOf = (req: SynthesisRequest): string => `synthesis of ${req.revision === 'local' ? req.source : `revision ${shortRevision(req.revision)}`}`;

function failure(c: Child, req: SynthesisRequest, limits: SandboxLimits): PalisadeError {
  const at = synthesisOf(req);
  if (c.timedOut) return new PalisadeError('SynthFailed', `${at} did not finish within ${limits.timeoutMs / 1000} s and was stopped`, { hint: 'policy code must not loop or wait; raise PALISADE_SYNTH_TIMEOUT (seconds) if it is only slow' });
  if (OUT_OF_MEMORY.test(c.output)) return outOfMemory(at, limits);
  return new PalisadeError('SynthFailed', `${at} exited (${c.signal ?? `code ${c.code}`}) without a result${c.output ? `:\n${c.output.trimEnd()}` : ''}`);
}

/** Runs the sandbox child on a compiled tree; its response, or the error it died with. */
async function runSandbox(tree: CompiledTree, request: SandboxRequest, req: SynthesisRequest, limits: SandboxLimits): Promise<SandboxResponse> {
  const reads = tree.readable.map((p) => `--allow-fs-read=${p}`);
  const args = ['--permission', ...reads, '--disable-warning=ExperimentalWarning', '--no-deprecation', '--enable-source-maps', `--max-old-space-size=${limits.heapMb}`, tree.worker];
  const child = await runChild(args, req.source, request, limits);
  if (child.response === undefined) throw failure(child, req, limits);
  // An allocation that failed inside policy code comes back as its error: the memory cap, said as such.
  const errors = child.response.kind === 'failed' ? [child.response.error] : child.response.errors;
  if (errors.some((e) => OUT_OF_MEMORY.test(e.message))) throw outOfMemory(synthesisOf(req), limits);
  return child.response;
}

/**
 * Synthesizes a checkout with its own code in the sandbox; the cluster is never touched from there.
 * A revision whose inputs are unchanged since a successful run is read from the memo instead.
 */
export async function synthesizeInSandbox(req: SynthesisRequest, limits: SandboxLimits = sandboxLimits()): Promise<SynthesisOutcome> {
  const source = await realpath(resolve(req.source));
  const entry = policiesEntry({ ...req, source });
  const clusters = await realpath(resolve(req.clusters ?? join(source, 'clusters'))).catch(() => {
    throw new PalisadeError('InvalidInput', `no clusters directory at ${req.clusters ?? join(source, 'clusters')}`, { hint: 'each cluster is clusters/<name>/cluster.yaml' });
  });
  const tree = await compileCheckout(source, [...new Set(['lib', 'policies', dirname(entry)])], clusters);
  const request: SandboxRequest = { lib: join(tree.dir, 'lib', 'index.js'), policies: join(tree.dir, entry.replace(/\.ts$/, '.js')), clusters: tree.clusters, names: req.names };
  const key = memoEnabled() ? await synthesisKey(tree, { entry, names: req.names }) : undefined;
  const known = key === undefined ? undefined : await recall(key);
  const response = known ?? await runSandbox(tree, request, { ...req, source }, limits);
  const paths = repositoryPaths(tree);
  if (response.kind === 'failed') throw fromWire(response.error, req.revision, paths);
  // A memo that cannot be written (read-only cache) only costs the next run a synthesis.
  if (key !== undefined && known === undefined) await remember(key, response).catch(() => undefined);
  return { results: [...response.results], errors: response.errors.map((e) => fromWire(e, req.revision, paths)), remembered: known !== undefined };
}

/** Like {@link synthesizeInSandbox}, failing with every cluster's errors when any cluster failed. */
export async function synthesizeAll(req: SynthesisRequest, limits?: SandboxLimits): Promise<SynthResult[]> {
  const { results, errors } = await synthesizeInSandbox(req, limits);
  if (errors.length === 0) return results;
  const text = errors.map((e) => (e.hint === undefined ? e.message : `${e.message}\n  hint: ${e.hint}`)).join('\n');
  throw new PalisadeError('SynthFailed', text);
}
