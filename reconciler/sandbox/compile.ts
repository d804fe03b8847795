/**
 * Compiles a checkout's TypeScript (its lib/ and policies/) into a content-addressed tree of
 * JavaScript under palisade's cache, for the sandbox to run with plain Node: no transpiler in the
 * sandbox, so it needs no child process. Files are cached by content, trees by the set of files,
 * so an unchanged revision compiles nothing and an edited policy recompiles one file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { PalisadeError } from '../../lib/core/errors.js';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { transform as esbuildTransform } from 'esbuild';
import { cacheDir } from '../controlplane/paths.js';

/** esbuild is loaded only when a file must be compiled (an unchanged checkout compiles nothing); its version keys the cache. */
const esbuildVersion = (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;
const transform: typeof esbuildTransform = async (...args) => (await import('esbuild')).transform(...args);

const OWN = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** palisade's installation: `<root>/reconciler/sandbox/` from source, `<root>/build/reconciler/sandbox/` compiled. */
export const PALISADE_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), OWN === '.ts' ? '../..' : '../../..');
const WORKER_FILE = fileURLToPath(new URL(`./worker${OWN}`, import.meta.url));
/** Format version of the tree layout; bump when it changes. */
const LAYOUT = '4';
const SKIP = new Set(['node_modules', '.palisade', '__snapshots__', '.git']);
/** Where the tree holds its copy of the clusters folder. */
export const CLUSTERS = '_clusters';

export interface CompiledTree {
  readonly dir: string;
  readonly worker: string;
  /** The tree's copy of the clusters folder. */
  readonly clusters: string;
  /** Everything the sandbox may read: the tree (copies of the checkout's files, never links out of it) and palisade's node_modules. */
  readonly readable: readonly string[];
  /** Hash of everything the tree is made of: every input file's content, the worker, esbuild, the layout. */
  readonly key: string;
}

interface Input { readonly rel: string; /** Path in the tree (before .ts → .js). */ readonly dest: string; readonly real: string; readonly ts: boolean; readonly stamp: string; readonly size: number; hash?: string }

/** What the sandbox is given is bounded: a revision over these limits is refused, never read. */
export const INPUT_LIMITS = { fileBytes: 16 << 20, totalBytes: 256 << 20, files: 50_000 } as const;

const refuse = (message: string): PalisadeError => new PalisadeError('InvalidInput', message, { hint: 'the synthesis sandbox reads only regular files inside the repository (symlinks may point only to files and folders inside it)' });

/**
 * The regular file or folder behind one entry: a symlink is followed only to a regular file or a
 * folder inside `root` (the checkout); devices, FIFOs, sockets and links out of it are refused.
 */
async function entryOf(root: string, rel: string): Promise<{ real: string; st: Stats }> {
  const path = join(root, rel);
  const link = await lstat(path);
  const real = link.isSymbolicLink() ? await realpath(path).catch(() => { throw refuse(`${rel} is a symlink to ${path} that does not resolve`); }) : path;
  if (link.isSymbolicLink()) {
    const inside = relative(root, real);
    if (inside.startsWith('..') || isAbsolute(inside)) throw refuse(`${rel} is a symlink to ${real}, outside the repository`);
  }
  const st = await stat(real);
  if (!st.isFile() && !st.isDirectory()) throw refuse(`${rel} is not a regular file or folder (a device, FIFO or socket)`);
  return { real, st };
}

interface Walk { readonly root: string; /** Walked folder, relative to root; files land at `into` + their path below it. */ readonly base: string; readonly into: string }

async function walk(w: Walk, rel: string, out: Input[], seen: Set<string>): Promise<void> {
  const { root, base, into } = w;
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const r = join(rel, e.name);
    const { real, st } = await entryOf(root, r);
    if (st.isDirectory()) {
      // A folder linked into itself (or twice) is walked once.
      if (seen.has(real)) throw refuse(`${r} links to a folder already read (${real})`);
      seen.add(real);
      await walk(w, r, out, seen);
      continue;
    }
    if (e.name.endsWith('.test.ts')) continue;
    if (st.size > INPUT_LIMITS.fileBytes) throw refuse(`${r} is ${st.size} bytes, over the ${INPUT_LIMITS.fileBytes}-byte limit per file`);
    out.push({ rel: r, dest: join(into, relative(base, r)), real, ts: e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'), stamp: `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, size: st.size });
    if (out.length > INPUT_LIMITS.files) throw refuse(`more than ${INPUT_LIMITS.files} files under ${rel.split('/')[0]}`);
  }
}

/** Every input of `dirs` (relative to `root`) and of the clusters folder, checked and bounded as a whole. */
async function inputsOf(root: string, dirs: readonly string[], clusters: string): Promise<Input[]> {
  const inputs: Input[] = [];
  const seen = new Set<string>();
  for (const d of dirs) if (existsSync(join(root, d))) await walk({ root, base: d, into: d }, d, inputs, seen);
  // clusters/ is copied whole under CLUSTERS; links in it may point anywhere in the checkout it belongs to.
  const inRoot = relative(root, clusters);
  const cw: Walk = inRoot.startsWith('..') || isAbsolute(inRoot) ? { root: clusters, base: '', into: CLUSTERS } : { root, base: inRoot, into: CLUSTERS };
  if (existsSync(clusters)) await walk(cw, cw.base, inputs, new Set());
  const total = inputs.reduce((n, f) => n + f.size, 0);
  if (total > INPUT_LIMITS.totalBytes) throw refuse(`the repository's ${[...dirs, 'clusters'].join(', ')} hold ${total} bytes, over the ${INPUT_LIMITS.totalBytes}-byte limit`);
  return inputs;
}

export const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/**
 * One file's JavaScript and source map, from the per-file cache (by content, so revisions share
 * it) or esbuild. The map's source is filled in per tree: stack traces name the original file.
 */
async function compiled(file: Input, code: string, filesDir: string): Promise<{ code: string; map: string }> {
  const base = join(filesDir, file.hash!);
  if (existsSync(`${base}.map`)) {
    const now = new Date();
    await utimes(`${base}.map`, now, now).catch(() => undefined);
    return { code: await readFile(`${base}.js`, 'utf8'), map: await readFile(`${base}.map`, 'utf8') };
  }
  const out = await transform(code, { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'external', sourcesContent: false, sourcefile: 'source.ts' });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(`${base}.js.${suffix}`, out.code);
  await rename(`${base}.js.${suffix}`, `${base}.js`);
  await writeFile(`${base}.map.${suffix}`, out.map);
  await rename(`${base}.map.${suffix}`, `${base}.map`);
  return { code: out.code, map: out.map };
}

async function writeCompiled(f: Input, dest: string, code: string, filesDir: string): Promise<void> {
  const out = await compiled(f, code, filesDir);
  const map = JSON.parse(out.map) as { sources: string[] };
  map.sources = [f.real];
  await writeFile(`${dest}.map`, JSON.stringify(map));
  await writeFile(dest, `${out.code}//# sourceMappingURL=${basename(dest)}.map\n`);
}

async function writeTree(dir: string, inputs: readonly Input[], sources: ReadonlyMap<string, string>, filesDir: string): Promise<void> {
  for (const f of inputs) {
    const dest = join(dir, f.ts ? f.dest.replace(/\.ts$/, '.js') : f.dest);
    await mkdir(dirname(dest), { recursive: true });
    if (f.ts) await writeCompiled(f, dest, sources.get(f.dest) ?? await readFile(f.real, 'utf8'), filesDir);
    else await copyFile(f.real, dest);
  }
  const worker = await readFile(WORKER_FILE, 'utf8');
  await writeFile(join(dir, 'worker.js'), OWN === '.ts' ? (await transform(worker, { loader: 'ts', format: 'esm', target: 'node20' })).code : worker);
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(await realpath(join(PALISADE_ROOT, 'node_modules')), join(dir, 'node_modules'));
}

/**
 * Records every input's content hash (TypeScript and data files alike: a synthesis remembered by
 * its tree must see an edited JSON or YAML file too). A file whose inode, size, mtime and ctime
 * (which no user can set back) match the memo of an earlier run keeps its hash unread (the memo
 * lives in palisade's cache); others are read and hashed. Returns the TypeScript sources read, by
 * relative path (the rest are read if a tree must be written).
 */
async function hashSources(inputs: Input[], memoFile: string): Promise<Map<string, string>> {
  const memo = JSON.parse(await readFile(memoFile, 'utf8').catch(() => '{}')) as Record<string, { stamp: string; hash: string }>;
  const sources = new Map<string, string>();
  let changed = false;
  for (const f of inputs) {
    const known = memo[f.real];
    if (known?.stamp === f.stamp) { f.hash = known.hash; continue; }
    const bytes = await readFile(f.real);
    if (f.ts) sources.set(f.dest, bytes.toString('utf8'));
    f.hash = f.ts ? sha(`${esbuildVersion}\0${sources.get(f.dest)!}`) : sha(bytes);
    memo[f.real] = { stamp: f.stamp, hash: f.hash };
    changed = true;
  }
  if (changed) {
    // Entries of files that are gone (worktrees of old revisions) are dropped, so the memo stays bounded.
    for (const k of Object.keys(memo)) if (!existsSync(k)) delete memo[k];
    const tmp = `${memoFile}.${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(dirname(memoFile), { recursive: true });
    await writeFile(tmp, JSON.stringify(memo));
    await rename(tmp, memoFile);
  }
  return sources;
}

/** The directories of `dirs` that no other one contains (`policies` and `policies/org` walk `policies` once). */
export function outermost(dirs: readonly string[]): string[] {
  const norm = [...new Set(dirs.map((d) => normalize(d)))].sort();
  return norm.filter((d) => !norm.some((o) => o !== d && (o === '.' || !relative(o, d).startsWith('..'))));
}

/**
 * Compiles `dirs` (relative to `source`, e.g. lib and policies) of a checkout into a tree that
 * also holds a copy of `clusters` (an absolute folder) under {@link CLUSTERS}; returns the tree.
 */
export async function compileCheckout(source: string, dirs: readonly string[], clusters: string): Promise<CompiledTree> {
  const inputs = await inputsOf(source, outermost(dirs), clusters);
  const root = join(cacheDir(), 'sandbox');
  const sources = await hashSources(inputs, join(root, 'stamps.json'));
  const worker = await readFile(WORKER_FILE);
  const key = sha(JSON.stringify([LAYOUT, esbuildVersion, sha(worker), PALISADE_ROOT, inputs.map((f) => [f.dest, f.real, f.hash ?? ''])]));
  const dir = join(root, 'trees', key.slice(0, 32));
  if (!existsSync(join(dir, '.complete'))) {
    const filesDir = join(root, 'files');
    await mkdir(filesDir, { recursive: true });
    // Unique per call: concurrent compiles in one process (or several) never share a scratch tree.
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeTree(tmp, inputs, sources, filesDir);
    await writeFile(join(tmp, '.complete'), '');
    await rename(tmp, dir).catch(async (e: unknown) => {
      if (!existsSync(join(dir, '.complete'))) throw e;
      await rm(tmp, { recursive: true, force: true });
    });
  }
  await markUsed(dir);
  await prune(root);
  return { dir, worker: join(dir, 'worker.js'), clusters: join(dir, CLUSTERS), readable: [dir, await realpath(join(PALISADE_ROOT, 'node_modules'))], key };
}

/** Trees kept (most recently used first); a watch following a branch makes one per revision. */
const KEEP_TREES = 16;
/** Never removed while this young: another process may be about to run it. */
const IN_USE_MS = 10 * 60_000;
/** Per-file entries no tree has used for this long are removed. */
const FILE_TTL_MS = 7 * 24 * 3600_000;

async function markUsed(dir: string): Promise<void> {
  const now = new Date();
  await utimes(join(dir, '.complete'), now, now).catch(() => undefined);
}

async function ageOf(path: string): Promise<number> {
  return stat(path).then((st) => Date.now() - st.mtimeMs, () => Infinity);
}

/** Bounds the cache: the KEEP_TREES most recently used trees, and per-file entries used within FILE_TTL_MS. */
async function prune(root: string): Promise<void> {
  const trees = join(root, 'trees');
  const names = (await readdir(trees).catch(() => [])).filter((n) => !n.includes('.tmp-'));
  if (names.length <= KEEP_TREES) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, age: await ageOf(join(trees, n, '.complete')) })));
  for (const t of aged.sort((a, b) => a.age - b.age).slice(KEEP_TREES)) {
    if (t.age > IN_USE_MS) await rm(join(trees, t.n), { recursive: true, force: true });
  }
  const files = join(root, 'files');
  for (const n of (await readdir(files).catch(() => [])).filter((f) => f.endsWith('.map'))) {
    if ((await ageOf(join(files, n))) > FILE_TTL_MS) {
      await rm(join(files, n), { force: true });
      await rm(join(files, n.replace(/\.map$/, '.js')), { force: true });
    }
  }
}
