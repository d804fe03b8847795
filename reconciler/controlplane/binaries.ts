import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, chmod, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PalisadeError } from '../../lib/core/errors.js';
import type { Progress } from '../../lib/core/progress.js';
import { goBuild } from './go-build.js';
import { cacheDir } from './paths.js';
import { etcdSpec, kubeApiserverSpec, type GoBinarySpec } from './versions.js';

export interface ControlPlaneBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

export interface EnsureBinariesOptions {
  /** @default cacheDir() */
  readonly cacheDir?: string;
  readonly progress: Progress;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The cache key: version plus a hash of everything else that shapes the build. */
export function cacheKey(spec: GoBinarySpec): string {
  const digest = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10);
  return `${spec.version}-${digest}`;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Why a cached binary cannot be used, or undefined when it is intact. */
export async function checkCachedBinary(binary: string): Promise<string | undefined> {
  const recorded = await readFile(`${binary}.sha256`, 'utf8').catch(() => undefined);
  if (recorded === undefined) return 'not built yet';
  const actual = await sha256File(binary).catch(() => undefined);
  if (actual === undefined) return 'binary missing';
  if (actual !== recorded.trim()) return `checksum mismatch (recorded ${recorded.trim().slice(0, 12)}…, found ${actual.slice(0, 12)}…): corrupt`;
  return undefined;
}

async function assertWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (cause) {
    throw new PalisadeError('CacheUnwritable', `The palisade cache directory ${dir} is not writable (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`, {
      hint: 'Set PALISADE_CACHE_DIR to a writable directory, or fix the permissions of this one.',
      cause,
    });
  }
}

/** Returns the cached binary for `spec`, building it first when missing or corrupt. */
export async function ensureBinary(spec: GoBinarySpec, opts: EnsureBinariesOptions): Promise<string> {
  const root = opts.cacheDir ?? cacheDir(opts.env);
  const dir = join(root, 'bin', spec.name, cacheKey(spec));
  const binary = join(dir, spec.name);
  const problem = await checkCachedBinary(binary);
  if (problem === undefined) return binary;
  await assertWritable(dir);
  if (problem !== 'not built yet') opts.progress.step(`cached ${spec.name} v${spec.version} unusable (${problem}); rebuilding`);
  const tmp = `${binary}.tmp-${process.pid}`;
  try {
    await goBuild(spec, { workDir: join(root, 'build', spec.name, cacheKey(spec)), outFile: tmp, progress: opts.progress, ...(opts.env ? { env: opts.env } : {}) });
    await chmod(tmp, 0o755);
    const digest = await sha256File(tmp);
    await rename(tmp, binary);
    await writeFile(`${binary}.sha256`, `${digest}\n`);
  } finally {
    await rm(tmp, { force: true });
  }
  return binary;
}

/** kube-apiserver and etcd at the pinned versions, built once and cached. */
export async function ensureControlPlaneBinaries(opts: EnsureBinariesOptions): Promise<ControlPlaneBinaries> {
  const etcd = await ensureBinary(etcdSpec(), opts);
  const kubeApiserver = await ensureBinary(kubeApiserverSpec(), opts);
  return { etcd, kubeApiserver };
}
