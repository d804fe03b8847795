import { spawn } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PalisadeError } from '../../lib/core/errors.js';
import type { Progress } from '../../lib/core/progress.js';
import type { GoBinarySpec } from './versions.js';

/** Text of the wrapper `go.mod` that lets `go build` compile a module carrying `replace` lines. */
export function wrapperGoMod(spec: GoBinarySpec): string {
  const lines = [`module palisade.local/build/${spec.name}`, '', 'go 1.25.0', '', `require ${spec.module.path} ${spec.module.version}`];
  if (spec.replaces.length > 0) {
    lines.push('', 'replace (');
    for (const r of spec.replaces) lines.push(`\t${r.from} => ${r.to} ${r.version}`);
    lines.push(')');
  }
  return `${lines.join('\n')}\n`;
}

function ldflags(spec: GoBinarySpec): string {
  const vars = Object.entries(spec.linkVars).map(([k, v]) => `-X ${k}=${v}`);
  return ['-s', '-w', ...vars].join(' ');
}

/** Finds the Go toolchain, or explains what to do without one. */
export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const version = await run('go', ['version'], { env }).catch(() => undefined);
  if (version === undefined || version.code !== 0) {
    throw new PalisadeError('GoMissing', 'The Go toolchain (go) was not found on PATH; it is needed once to build kube-apiserver and etcd for the local control plane.', {
      hint: 'Install Go >= 1.25 (https://go.dev/dl/), or skip the local control plane: point KUBECONFIG (or --kubeconfig) at an existing cluster such as kind; every palisade command accepts it.',
    });
  }
  return version.output.trim();
}

interface RunResult { readonly code: number; readonly output: string }

function run(cmd: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; onLine?: (l: string) => void }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const collect = (line: string): void => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      opts.onLine?.(line);
    };
    createInterface({ input: child.stdout }).on('line', collect);
    createInterface({ input: child.stderr }).on('line', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output: tail.join('\n') }));
  });
}

/**
 * Builds `spec` into `outFile` using a wrapper module in `workDir`. Shows the number of
 * packages compiled so far (the first build of kube-apiserver compiles ~1,500 packages).
 */
export interface GoBuildOptions {
  /** Directory for the wrapper module. */
  readonly workDir: string;
  /** Where the binary is written. */
  readonly outFile: string;
  readonly progress: Progress;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Downloads `module@version` into the Go module cache (`go mod download -json`) and returns its
 * directory: the module's files exactly as published, e.g. an upstream project's test corpus.
 */
export async function goModuleDir(module: GoBinarySpec['module'], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  await findGo(env);
  const ref = `${module.path}@${module.version}`;
  const result = await run('go', ['mod', 'download', '-json', ref], { env: { ...env, GOFLAGS: '-mod=mod' }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const dir = result.code === 0 ? (JSON.parse(result.output) as { Dir?: string }).Dir : undefined;
  if (dir === undefined) {
    throw new PalisadeError('GoBuildFailed', `downloading ${ref} failed (go mod download exited ${result.code}):\n${result.output}`, {
      hint: 'Check that the Go module proxy is reachable (GOPROXY).',
    });
  }
  return dir;
}

/** Copies the required module's own go.sum next to the wrapper go.mod (see GoBinarySpec.seedGoSum). */
async function seedGoSum(spec: GoBinarySpec, workDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = await goModuleDir(spec.module, { env, cwd: workDir });
  await copyFile(join(dir, 'go.sum'), join(workDir, 'go.sum'));
}

export async function goBuild(spec: GoBinarySpec, opts: GoBuildOptions): Promise<void> {
  const { workDir, outFile, progress } = opts;
  const env = opts.env ?? process.env;
  await findGo(env);
  await mkdir(workDir, { recursive: true });
  if (spec.program) for (const [file, text] of Object.entries(spec.program)) await writeFile(join(workDir, file), text);
  else await writeFile(join(workDir, 'go.mod'), wrapperGoMod(spec));
  progress.step(`building ${spec.name} v${spec.version} from ${spec.module.path}@${spec.module.version} (first time only; takes several minutes)`);
  let packages = 0;
  const started = Date.now();
  const onLine = (line: string): void => {
    if (line.startsWith('go: downloading')) progress.tick(`${spec.name}: ${line.slice(4)}`);
    else if (!line.startsWith('#')) packages += 1;
    if (!line.startsWith('go:')) progress.tick(`${spec.name}: ${packages} packages compiled, ${Math.round((Date.now() - started) / 1000)}s`);
  };
  const buildEnv = { ...env, CGO_ENABLED: '0', GOFLAGS: spec.program ? '-mod=readonly' : '-mod=mod', GOTOOLCHAIN: env['GOTOOLCHAIN'] ?? 'auto' };
  if (spec.seedGoSum === true) await seedGoSum(spec, workDir, buildEnv);
  const args = ['build', '-v', '-trimpath', '-ldflags', ldflags(spec), '-o', outFile, spec.pkg];
  const result = await run('go', args, { env: buildEnv, cwd: workDir, onLine });
  if (result.code !== 0) {
    throw new PalisadeError('GoBuildFailed', `building ${spec.name} v${spec.version} failed (go build exited ${result.code}):\n${result.output}`, {
      hint: 'Check that the Go module proxy is reachable (GOPROXY) and that there is free disk space; or set KUBECONFIG to use an existing cluster.',
    });
  }
  progress.step(`built ${spec.name} v${spec.version} in ${Math.round((Date.now() - started) / 1000)}s`);
}
