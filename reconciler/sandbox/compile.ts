/**
 * Compiles a checkout's TypeScript (its lib/ and policies/) into a content-addressed tree of
 * JavaScript under palisade's cache, for the sandbox to run with plain Node: no transpiler in the
 * sandbox, so it needs no child process. Files are cached by content, trees by the set of files,
 * so an unchanged revision compiles nothing and an edited policy recompiles one file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform, version as esbuildVersion } from 'esbuild';
import { cacheDir } from '../controlplane/paths.js';

const OWN = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** palisade's installation: `<root>/reconciler/sandbox/` from source, `<root>/build/reconciler/sandbox/` compiled. */
export const PALISADE_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), OWN === '.ts' ? '../..' : '../../..');
const WORKER_FILE = fileURLToPath(new URL(`./worker${OWN}`, import.meta.url));
/** Format version of the tree layout; bump when it changes. */
const LAYOUT = '1';
const SKIP = new Set(['node_modules', '.palisade', '__snapshots__', '.git']);

export interface CompiledTree {
  readonly dir: string;
  readonly worker: string;
  /** Real directories the sandbox may read besides the tree: the checkout's sources and node_modules. */
  readonly readable: readonly string[];
}

interface Input { readonly rel: string; readonly real: string; readonly ts: boolean; readonly stamp: string; hash?: string }

async function walk(root: string, rel: string, out: Input[]): Promise<void> {
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const r = join(rel, e.name);
    const real = await realpath(join(root, r));
    const st = await stat(real);
    if (st.isDirectory()) await walk(root, r, out);
    else if (!e.name.endsWith('.test.ts')) out.push({ rel: r, real, ts: e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'), stamp: `${st.ino}:${st.size}:${st.mtimeMs}` });
  }
}

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** One file's JavaScript, from the per-file cache or esbuild; source maps name the original file. */
async function compiled(file: Input, code: string, filesDir: string): Promise<string> {
  const cached = join(filesDir, `${file.hash}.js`);
  if (existsSync(cached)) return readFile(cached, 'utf8');
  const out = await transform(code, { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: file.real });
  const tmp = `${cached}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, out.code);
  await rename(tmp, cached);
  return out.code;
}

async function writeTree(dir: string, inputs: readonly Input[], sources: ReadonlyMap<string, string>, filesDir: string): Promise<void> {
  for (const f of inputs) {
    const dest = join(dir, f.ts ? f.rel.replace(/\.ts$/, '.js') : f.rel);
    await mkdir(dirname(dest), { recursive: true });
    if (f.ts) await writeFile(dest, await compiled(f, sources.get(f.rel) ?? await readFile(f.real, 'utf8'), filesDir));
    else await symlink(f.real, dest);
  }
  const worker = await readFile(WORKER_FILE, 'utf8');
  await writeFile(join(dir, 'worker.js'), OWN === '.ts' ? (await transform(worker, { loader: 'ts', format: 'esm', target: 'node20' })).code : worker);
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(await realpath(join(PALISADE_ROOT, 'node_modules')), join(dir, 'node_modules'));
}

/**
 * Records every TypeScript input's content hash. A file whose inode, size and mtime match the memo
 * of an earlier run keeps its hash unread (the memo lives in palisade's cache); others are read and
 * hashed. Returns the sources read, by relative path (the rest are read if a tree must be written).
 */
async function hashSources(inputs: Input[], memoFile: string): Promise<Map<string, string>> {
  const memo = JSON.parse(await readFile(memoFile, 'utf8').catch(() => '{}')) as Record<string, { stamp: string; hash: string }>;
  const sources = new Map<string, string>();
  let changed = false;
  for (const f of inputs.filter((i) => i.ts)) {
    const known = memo[f.real];
    if (known?.stamp === f.stamp) { f.hash = known.hash; continue; }
    const code = await readFile(f.real, 'utf8');
    sources.set(f.rel, code);
    f.hash = sha(`${esbuildVersion}\0${f.real}\0${code}`);
    memo[f.real] = { stamp: f.stamp, hash: f.hash };
    changed = true;
  }
  if (changed) {
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

/** Compiles `dirs` (relative to `source`, e.g. lib and policies) of a checkout; returns the tree. */
export async function compileCheckout(source: string, dirs: readonly string[]): Promise<CompiledTree> {
  const inputs: Input[] = [];
  for (const d of dirs) if (existsSync(join(source, d))) await walk(source, d, inputs);
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
  return { dir, worker: join(dir, 'worker.js'), readable };
}
