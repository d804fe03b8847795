/**
 * Synthesis results remembered by their inputs, so a command re-run on an unchanged revision (the
 * hourly drift report, a pre-commit hook, `diff` against a base already seen) reads the result
 * instead of starting the sandbox. The key is a hash of everything the sandbox can read and that
 * shapes its output: the compiled tree (every lib/ and policies/ file's content, the worker,
 * esbuild) with its copy of clusters/, palisade's installed node_modules, the Node version and
 * the clusters asked for. Synthesis is a function of those (the sandbox has an empty environment,
 * TZ=UTC, a fixed clock, seeded randomness, no network, no writes); `PALISADE_SYNTH_CACHE=off`
 * turns the memo off.
 *
 * Only complete successes are remembered. An unreadable or corrupt entry is a miss. The memo is in
 * palisade's cache directory, which holds the compiled code the sandbox runs: it trusts that
 * directory exactly as much as the compile cache does.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../controlplane/paths.js';
import { PALISADE_ROOT, sha, type CompiledTree } from './compile.js';
import type { SandboxResponse } from './protocol.js';

/** Format version of a remembered entry; bump when SynthResult's shape changes. */
const FORMAT = '1';
/** Entries kept, most recently used first. */
const KEEP = 16;

type Done = Extract<SandboxResponse, { kind: 'done' }>;

const memoDir = (): string => join(cacheDir(), 'sandbox', 'results');

/** Whether results are remembered (`PALISADE_SYNTH_CACHE=off|0|false` turns it off). */
export function memoEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', '0', 'false'].includes((env['PALISADE_SYNTH_CACHE'] ?? '').toLowerCase());
}

/** npm rewrites node_modules/.package-lock.json on every install; ctime cannot be set back. */
async function installStamp(): Promise<string> {
  const st = await stat(join(PALISADE_ROOT, 'node_modules', '.package-lock.json')).catch(() => stat(join(PALISADE_ROOT, 'node_modules')));
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** What one synthesis is asked for besides the tree (which holds the clusters folder too): the policies module, the clusters named. */
export interface SynthesisInputs {
  readonly entry: string;
  readonly names: readonly string[];
}

/** The key of one synthesis: the tree (lib, policies, clusters), the entry, the install, Node, the names. */
export async function synthesisKey(tree: CompiledTree, inputs: SynthesisInputs): Promise<string> {
  return sha(JSON.stringify([FORMAT, tree.key, inputs.entry, PALISADE_ROOT, await installStamp(), process.version, [...inputs.names]]));
}

/** The remembered result for `key`, or undefined (never remembered, or unreadable). */
export async function recall(key: string): Promise<Done | undefined> {
  const file = join(memoDir(), `${key}.json`);
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as { key?: unknown; response?: Done };
    if (entry.key !== key || entry.response?.kind !== 'done' || entry.response.errors.length > 0) return undefined;
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return entry.response;
  } catch {
    return undefined;
  }
}

/** Remembers a complete success (written whole or not at all), keeping the {@link KEEP} most recent entries. */
export async function remember(key: string, response: Done): Promise<void> {
  if (response.errors.length > 0) return;
  const dir = memoDir();
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${key}.${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, JSON.stringify({ key, response }), { mode: 0o600 });
  await rename(tmp, join(dir, `${key}.json`));
  await prune(dir);
}

async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  if (names.length <= KEEP) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, mtime: (await stat(join(dir, n)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })));
  for (const e of aged.sort((a, b) => b.mtime - a.mtime).slice(KEEP)) await rm(join(dir, e.n), { force: true });
}
