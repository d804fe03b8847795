/**
 * CLI start-up benchmark (issue 16): whole processes, as pre-commit hooks, PR checks and on-call
 * terminals run them, on the template repository and its `local` cluster reconciled on a local API
 * server started here, next to `kubectl diff --server-side` on the same objects in the same run.
 * Every row is min / median / max of BENCH_RUNS (default 5) sequential runs (concurrency 1; the
 * machine runs nothing else). Peak RSS is the largest process of the run (GNU time's %M: with the
 * synthesis sandbox that is palisade's parent or its child, whichever is larger).
 * Then where the time goes: Node start-up, CLI module load, the sandbox (compile check, child
 * start, lib import, synthesis) and the rest (API calls, planning, report).
 * Run: npm run bench:cli
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentProgress } from '../lib/core/progress.js';
import { clientFor } from '../reconciler/cluster/client.js';
import { loadKubeConfig } from '../reconciler/cluster/connect.js';
import { installCrds, startControlPlane, stopControlPlane } from '../reconciler/controlplane/index.js';
import { compileCheckout, synthesizeInSandbox } from '../reconciler/sandbox/index.js';
import { upstreamCrdFiles } from '../test/support/shared.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const REPO = join(import.meta.dirname, '..');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Run { readonly ms: number; readonly rssMb?: number }

interface RunOptions {
  /** Exit codes that are not failures. @default [0] */
  readonly ok?: readonly number[];
  /** Added to the environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** One whole process: wall time, and peak RSS when GNU time is there. */
function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Run {
  const argv = TIME ? ['-f', '%M', cmd, ...args] : [...args];
  const ok = opts.ok ?? [0];
  const t = performance.now();
  const r = spawnSync(TIME ?? cmd, argv, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...opts.env } });
  const ms = performance.now() - t;
  if (!ok.includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const kb = TIME ? Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1]) : NaN;
  return Number.isFinite(kb) ? { ms, rssMb: kb / 1024 } : { ms };
}

function spread(xs: readonly number[]): { median: number; text: string } {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { median, text: `${s(sorted[0]!)} / ${s(median)} / ${s(sorted.at(-1)!)}` };
}

function series(cmd: string, args: readonly string[], opts?: RunOptions): { median: number; text: string; rss: string } {
  const runs = Array.from({ length: RUNS }, () => run(cmd, args, opts));
  const rss = runs.map((r) => r.rssMb).filter((r): r is number => r !== undefined);
  return { ...spread(runs.map((r) => r.ms)), rss: rss.length > 0 ? `${Math.max(...rss).toFixed(0)} MB` : 'n/a' };
}

const palisade = (...args: string[]): [string, string[]] => [process.execPath, [join(REPO, 'bin', 'palisade.js'), ...args]];

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-cli-'));
const state = await startControlPlane({ name: 'bench-cli', dir, ownerPid: process.pid, progress: silentProgress });
const rows: string[][] = [];
const notes: string[] = [];
try {
  const kc = state.kubeconfig;
  await installCrds(clientFor(loadKubeConfig({ kubeconfig: kc })), upstreamCrdFiles(), silentProgress);
  const out = join(dir, 'dist');
  execFileSync(...palisade('synth', '-c', 'local', '-o', out), { cwd: REPO, stdio: 'ignore' });
  execFileSync(...palisade('reconcile', '--once', '-c', 'local', '--kubeconfig', kc), { cwd: REPO, stdio: 'ignore' });
  process.stderr.write('bench: reconciled clusters/local; timing...\n');

  // Every synthesizing command twice: as re-run on an unchanged revision (the synthesis memo of
  // reconciler/sandbox/memo.ts answers; the runs above made its entry), and as the first run after
  // an edit (PALISADE_SYNTH_CACHE=off: the sandbox synthesizes every time).
  const fresh = { env: { PALISADE_SYNTH_CACHE: 'off' } };
  const help = series(...palisade('--help'));
  const synth = series(...palisade('synth', '-c', 'local', '-o', join(dir, 'again')));
  const synthFresh = series(...palisade('synth', '-c', 'local', '-o', join(dir, 'again')), fresh);
  const drift = series(...palisade('drift', '-c', 'local', '--kubeconfig', kc));
  const driftFresh = series(...palisade('drift', '-c', 'local', '--kubeconfig', kc), fresh);
  const diff = series(...palisade('diff', '--base', 'HEAD', '-c', 'local'), { ok: [0, 1] });
  const diffFresh = series(...palisade('diff', '--base', 'HEAD', '-c', 'local'), { ok: [0, 1], ...fresh });
  // The same objects palisade applied, as kubectl reads them (kustomize: the directory's kustomization.yaml).
  const kubectl = series('kubectl', ['--kubeconfig', kc, 'diff', '--server-side', '--force-conflicts', '-k', join(out, 'local')], { ok: [0, 1] });
  const node = series(process.execPath, ['-e', '0']);
  const ratio = (x: { median: number }): string => `${(x.median / kubectl.median).toFixed(2)}× kubectl diff (medians)`;
  rows.push(
    ['`palisade --help` (goal ≤ 0.3 s)', help.text, help.rss, ''],
    ['`palisade synth -c local`, revision unchanged: synthesis memo (goal ≤ 0.7 s)', synth.text, synth.rss, ''],
    ['`palisade synth -c local`, first run after an edit (`PALISADE_SYNTH_CACHE=off`)', synthFresh.text, synthFresh.rss, ''],
    ['`palisade drift -c local`, revision unchanged (goal ≤ 1.0× kubectl diff, RSS ≤ 120 MB)', drift.text, drift.rss, ratio(drift)],
    ['`palisade drift -c local`, first run after an edit', driftFresh.text, driftFresh.rss, ratio(driftFresh)],
    ['`palisade diff --base HEAD -c local` (both sides), revisions seen before', diff.text, diff.rss, ''],
    ['`palisade diff --base HEAD -c local` (both sides synthesized)', diffFresh.text, diffFresh.rss, ''],
    ['`kubectl diff --server-side --force-conflicts -k dist/local` (peer, same objects)', kubectl.text, kubectl.rss, ''],
    ['`node -e 0` (Node start-up alone)', node.text, node.rss, ''],
  );

  // Where the time goes, in this process (medians of RUNS).
  const compileTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await compileCheckout(REPO, ['lib', 'policies'], join(REPO, 'clusters'));
    compileTimes.push(performance.now() - t);
  }
  const compile = spread(compileTimes);
  const tree = await compileCheckout(REPO, ['lib', 'policies'], join(REPO, 'clusters'));
  const libImport = series(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(tree.dir, 'lib', 'index.js'))})`]);
  const sandbox: number[] = [];
  process.env['PALISADE_SYNTH_CACHE'] = 'off';
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await synthesizeInSandbox({ source: REPO, revision: 'local', names: ['local'] });
    sandbox.push(performance.now() - t);
  }
  const sb = spread(sandbox);
  notes.push(
    `Node start-up ${s(node.median)}; CLI module load (--help minus Node) ${s(help.median - node.median)}.`,
    `Synthesis sandbox, whole (compile check + child process + lib import + synthesis + result over IPC): ${s(sb.median)}; of which the compile check (hash the checkout's lib/ and policies/, tree cached) ${s(compile.median)}, importing the compiled lib/ in a fresh Node process ${s(libImport.median - node.median)} beyond Node start-up; synthesis itself (constructs, render, schema validation) is the rest, about ${s(sb.median - compile.median - libImport.median)}.`,
    `drift (first run after an edit) minus its synthesis: ${s(driftFresh.median - sb.median)} (CLI load, Git status of the source, kubeconfig, Kubernetes client load, API calls: list + dry-run proofs, planning, report).`,
  );
} finally {
  await stopControlPlane(dir);
}
process.stdout.write(`CLI start-up benchmark (kube-apiserver v${state.versions.kubernetes} on loopback, 2 cores; min / median / max of ${RUNS} sequential runs, concurrency 1)\n| command | wall time | peak RSS | ratio |\n|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.stdout.write(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
