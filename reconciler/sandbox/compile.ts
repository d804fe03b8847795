/**
 * Compiles a checkout's TypeScript (its lib/ and policies/) into a content-addressed tree of
 * JavaScript under palisade's cache, for the sandbox to run with plain Node: no transpiler in the
 * sandbox, so it needs no child process. Files are cached by content, trees by the set of files,
 * so an unchanged revision compiles nothing and an edited policy recompiles one file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, normalize, relative } from 'node:path';
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
const LAYOUT = '3';
const SKIP = new Set(['node_modules', '.palisade', '__snapshots__', '.git']);

export interface CompiledTree {
  readonly dir: string;
  readonly worker: string;
  /** Real directories the sandbox may read besides the tree: the checkout's sources and node_modules. */
  readonly readable: readonly string[];
  /** Hash of everything the tree is made of: every input file's content, the worker, esbuild, the layout. */
  readonly key: string;
}

interface Input { readonly rel: string; readonly real: string; readonly ts: boolean; readonly stamp: string; hash?: string }

async function walk(root: string, rel: string, out: Input[]): Promise<void> {
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const r = join(rel, e.name);
    const real = await realpath(join(root, r));
    const st = await stat(real);
    if (st.isDirectory()) await walk(root, r, out);
    else if (!e.name.endsWith('.test.ts')) out.push({ rel: r, real, ts: e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'), stamp: `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` });
  }
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
    const dest = join(dir, f.ts ? f.rel.replace(/\.ts$/, '.js') : f.rel);
    await mkdir(dirname(dest), { recursive: true });
    if (f.ts) await writeCompiled(f, dest, sources.get(f.rel) ?? await readFile(f.real, 'utf8'), filesDir);
    else await symlink(f.real, dest);
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
    if (f.ts) sources.set(f.rel, bytes.toString('utf8'));
    f.hash = f.ts ? sha(`${esbuildVersion}\0${sources.get(f.rel)!}`) : sha(bytes);
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

/** The real directories behind the compiled sources (linked data files point there) and node_modules. */
async function readableRoots(source: string, dirs: readonly string[], inputs: readonly Input[]): Promise<string[]> {
  const roots: string[] = [await realpath(join(PALISADE_ROOT, 'node_modules'))];
  for (const d of dirs) if (existsSync(join(source, d))) roots.push(await realpath(join(source, d)));
  const inside = (p: string): boolean => roots.some((r) => !relative(r, p).startsWith('..'));
  for (const f of inputs) if (!inside(f.real)) roots.push(dirname(f.real));
  return [...new Set(roots)].sort();
}

/** The directories of `dirs` that no other one contains (`policies` and `policies/org` walk `policies` once). */
export function outermost(dirs: readonly string[]): string[] {
  const norm = [...new Set(dirs.map((d) => normalize(d)))].sort();
  return norm.filter((d) => !norm.some((o) => o !== d && (o === '.' || !relative(o, d).startsWith('..'))));
}

/** Compiles `dirs` (relative to `source`, e.g. lib and policies) of a checkout; returns the tree. */
export async function compileCheckout(source: string, dirs: readonly string[]): Promise<CompiledTree> {
  const inputs: Input[] = [];
  for (const d of outermost(dirs)) if (existsSync(join(source, d))) await walk(source, d, inputs);
  const root = join(cacheDir(), 'sandbox');
  const sources = await hashSources(inputs, join(root, 'stamps.json'));
  const worker = await readFile(WORKER_FILE);
  const key = sha(JSON.stringify([LAYOUT, esbuildVersion, sha(worker), PALISADE_ROOT, inputs.map((f) => [f.rel, f.real, f.hash ?? ''])]));
  const dir = join(root, 'trees', key.slice(0, 32));
  const readable = await readableRoots(source, dirs, inputs);
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
  return { dir, worker: join(dir, 'worker.js'), readable, key };
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
