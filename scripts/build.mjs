// Compiles palisade's own TypeScript (lib/, reconciler/) ahead of time into build/, so the CLI
// starts as JavaScript and only a user's policies are transpiled at run time (by the synthesis
// sandbox). esbuild is a production dependency: `npm ci --omit=dev` images build with it too.
//
//   node scripts/build.mjs          build when a source is newer than the last build
//   node scripts/build.mjs --force  always build
//
// Plain JavaScript on purpose: it runs before anything of palisade is compiled.
import { build as bundle, transform } from 'esbuild';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(ROOT, 'build');
const SOURCE_DIRS = ['lib', 'reconciler'];
const STAMP = '.stamp';
/** Data files the compiled code reads next to itself; linked, not copied. */
const LINKED = [join('lib', 'schemas')];

/**
 * Third-party packages loaded as one pre-bundled, minified file instead of hundreds of modules:
 * @kubernetes/client-node takes about 280 ms to import as published, about 95 ms bundled whole and
 * about 60 ms bundled with only the names palisade imports (every command that talks to a cluster
 * pays it). Imports of it in build/ are rewritten to the bundle; the TypeScript sources (tests, type
 * checks) keep importing the package itself.
 */
const VENDORED = { '@kubernetes/client-node': 'client-node.js' };

/** `{ A, type B, C as D }` → A, C; anything but braces fails (see importedNames). */
function valueNames(clause, file, pkg) {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) throw new Error(`${file}: only named imports of ${pkg} can be bundled (found: import ${clause.trim()})`);
  return braces[1].split(',').map((x) => x.trim()).filter((x) => x && !x.startsWith('type ')).map((x) => x.split(/\s+as\s+/)[0]);
}

/**
 * The value names `files` import from `pkg` (`import { A, type B } from 'pkg'`: A), so the bundle
 * exports only those and esbuild drops the rest. A namespace, default or side-effect import of it
 * would need everything: the build fails rather than guess.
 */
async function importedNames(pkg, files) {
  const names = new Set();
  const quoted = pkg.replace(/[/.@-]/g, (c) => `\\${c}`);
  const clause = new RegExp(`import\\s+(type\\s+)?([^;]*?)\\s+from\\s+'${quoted}'`, 'g');
  for (const f of files) {
    const code = await readFile(f, 'utf8');
    if (!code.includes(`'${pkg}'`)) continue;
    const found = [...code.matchAll(clause)].filter((m) => !m[1]).flatMap((m) => valueNames(m[2], relative(ROOT, f), pkg));
    for (const n of found) names.add(n);
  }
  return [...names].sort();
}

async function vendor(outDir, files) {
  for (const [pkg, file] of Object.entries(VENDORED)) {
    const names = await importedNames(pkg, files);
    await bundle({
      stdin: { contents: `export { ${names.join(', ')} } from '${pkg}';`, resolveDir: ROOT, loader: 'js' },
      bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
      outfile: join(outDir, 'vendor', file),
      // CommonJS dependencies inside the bundle still call require().
      banner: { js: "import { createRequire as __palisadeRequire } from 'node:module'; const require = __palisadeRequire(import.meta.url);" },
    });
  }
}

/** `from "pkg"` → `from "../vendor/pkg.js"` (relative to the compiled file) for every vendored package. */
function useVendored(code, dest, outDir) {
  let out = code;
  for (const [pkg, file] of Object.entries(VENDORED)) {
    const rel = relative(dirname(dest), join(outDir, 'vendor', file)).split('\\').join('/');
    out = out.replaceAll(`from "${pkg}"`, `from "${rel.startsWith('.') ? rel : `./${rel}`}"`);
  }
  return out;
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');

function walkSync(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walkSync(p, out);
    else if (isSource(e.name)) out.push(p);
  }
  return out;
}

/** True when build/ is missing or older than a source file (an edit, a checkout, a fresh clone). */
export function isStale() {
  const stamp = join(BUILD_DIR, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  for (const d of SOURCE_DIRS) {
    const dir = join(ROOT, d);
    if (statSync(dir).mtimeMs > built) return true;
    for (const f of walkSync(dir)) if (statSync(f).mtimeMs > built) return true;
  }
  return false;
}

async function compileFile(file, outDir) {
  const rel = relative(ROOT, file);
  const out = await transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: rel });
  const dest = join(outDir, rel.replace(/\.ts$/, '.js'));
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(dest, useVendored(out.code, dest, outDir));
}

/** Compiles into a fresh directory and swaps it in, so a concurrent run never sees half a build. */
export async function build() {
  const tmp = `${BUILD_DIR}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const files = SOURCE_DIRS.flatMap((d) => walkSync(join(ROOT, d)));
  const queue = [...files];
  const workers = Array.from({ length: 8 }, async () => { for (let f = queue.pop(); f; f = queue.pop()) await compileFile(f, tmp); });
  await Promise.all([...workers, vendor(tmp, files)]);
  for (const l of LINKED) await symlink(join(ROOT, l), join(tmp, l));
  await writeFile(join(tmp, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(tmp, STAMP), `${new Date().toISOString()}\n`);
  const old = `${BUILD_DIR}.old-${process.pid}`;
  if (existsSync(BUILD_DIR)) await rename(BUILD_DIR, old).catch(() => undefined);
  await rename(tmp, BUILD_DIR).catch(async (e) => {
    // Another process swapped its build in first: theirs is as fresh as ours.
    if (!existsSync(join(BUILD_DIR, STAMP))) throw e;
    await rm(tmp, { recursive: true, force: true });
  });
  await rm(old, { recursive: true, force: true });
  return files.length;
}

/** Builds when stale; returns the number of files compiled (0: already fresh). */
export async function ensureBuilt({ force = false, log = () => undefined } = {}) {
  if (!force && !isStale()) return 0;
  log('palisade: compiling its TypeScript sources into build/ (after install or an edit; once)');
  const started = Date.now();
  const n = await build();
  log(`palisade: compiled ${n} files in ${Date.now() - started} ms`);
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await ensureBuilt({ force: process.argv.includes('--force'), log: (m) => process.stderr.write(`${m}\n`) });
  if (n === 0) process.stderr.write('palisade: build/ is up to date\n');
}
