/**
 * Reconciler benchmarks, side by side with kubectl against one local API server started here.
 * Where a user runs a process, a process is timed end to end (`palisade reconcile --once`,
 * `palisade drift` from a policy source directory, against `kubectl apply/diff --server-side` on
 * an equal object set in other namespaces), each BENCH_RUNS (default 5) times: min/median/max.
 *  (a) tamper → corrected latency in watch mode, p50/p99/max over BENCH_TAMPERS (default 1,000) tampers;
 *  (b) cold drift check (a new process) of BENCH_OBJECTS (default 5,000) objects: untouched, and with
 *      1% tampered by an impersonator (server-side apply as field manager "palisade");
 *  (c) initial apply of the same objects (BENCH_APPLY_RUNS, default 1: each run needs a fresh set);
 *  (d) API requests during BENCH_IDLE_SECONDS (default 60) of idle watch mode (beyond the open watches);
 *  (e) resident memory of the controller with BENCH_MEMORY_OBJECTS (default 5,100) model objects,
 *      which synthesize to about 10,000 managed Kubernetes objects (the goal's size), at steady
 *      state after the watch replay.
 * BENCH_SECTIONS=latency,drift,memory picks parts (default all).
 * Concurrency: palisade applies 8 requests at a time inside a stage (--once default); kubectl
 * sends one at a time. Run: npm run bench:reconciler
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Agent, Port, synthesize, Tool, toYaml, Zone, type PolicyDefinition } from '../lib/index.js';
import { silentProgress } from '../lib/core/progress.js';
import type { KubeObject } from '../lib/core/resource-id.js';
import { testCluster } from '../lib/testing/index.js';
import { clientFor, type ClusterClient, type RequestCounter } from '../reconciler/cluster/client.js';
import { loadKubeConfig } from '../reconciler/cluster/connect.js';
import { startControlPlane, stopControlPlane } from '../reconciler/controlplane/index.js';
import { ClusterController } from '../reconciler/engine/controller.js';
import { Metrics } from '../reconciler/engine/telemetry.js';
import { desiredFrom, type ClusterTarget } from '../reconciler/source/desired.js';

const env = (k: string, d: number): number => Number(process.env[k] ?? d);
const OBJECTS = env('BENCH_OBJECTS', 5000);
const TAMPERS = env('BENCH_TAMPERS', 1000);
const RUNS = env('BENCH_RUNS', 5);
const APPLY_RUNS = env('BENCH_APPLY_RUNS', 1);
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 60);
/** Model objects; each agent synthesizes to about two managed objects here (9,996 at 5,100). */
const MEMORY_OBJECTS = env('BENCH_MEMORY_OBJECTS', 5100);
/** Which parts to run (comma-separated: latency, drift, memory). @default all three */
const SECTIONS = new Set((process.env['BENCH_SECTIONS'] ?? 'latency,drift,memory').split(','));

/** About `objects` objects: one egress policy per agent plus per-namespace defaults and tool ingress. */
function definition(prefix: string, objects: number): PolicyDefinition {
  const namespaces = Math.max(5, Math.round(objects / 100));
  const agents = objects - namespaces * 4;
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const tools = Array.from({ length: namespaces }, (_, i) => new Tool(scope, `tool-${i}`, { namespace: `${prefix}-${i}`, zone, podLabels: { app: `tool-${i}` }, ports: [Port.tcp(8080)] }));
    for (let i = 0; i < agents; i++) new Agent(scope, `agent-${i}`, { namespace: `${prefix}-${i % namespaces}`, zone, podLabels: { app: `agent-${i}` } }).allowTo(tools[i % namespaces]!);
  };
}

function target(prefix: string, objects: number): ClusterTarget {
  const spec = testCluster({ name: prefix });
  const d = desiredFrom(synthesize(definition(prefix, objects), spec), 'bench');
  // Cluster-scoped admission objects have fixed names: keep one set per API server.
  return { spec, desired: { ...d, objects: new Map([...d.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmissionPolicy'))), admissionPolicies: [] }, probes: [] };
}

/** Wall time of one process; `ok` lists the exit codes that are not failures. */
function timed(cmd: string, args: readonly string[], ok: readonly number[] = [0], env: NodeJS.ProcessEnv = {}): { ms: number; code: number; stdout: string } {
  const t = performance.now();
  let code = 0;
  let stdout = '';
  try {
    stdout = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, encoding: 'utf8', env: { ...process.env, ...env } });
  } catch (e) {
    code = (e as { status?: number }).status ?? -1;
    stdout = String((e as { stdout?: string }).stdout ?? '');
    if (!ok.includes(code)) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${String((e as { stderr?: string }).stderr ?? '').slice(0, 2000)}`);
  }
  return { ms: performance.now() - t, code, stdout };
}

function kubectl(kubeconfig: string, args: string[]): number {
  return timed('kubectl', ['--kubeconfig', kubeconfig, ...args], [0, 1]).ms; // kubectl diff exits 1 when it finds differences
}

/** min / median / max of `runs` timings. */
function spread(xs: readonly number[]): { min: number; median: number; max: number; text: string } {
  const sorted = [...xs].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { min, median, max, text: `${s(min)} / ${s(median)} / ${s(max)}` };
}

const REPO = join(import.meta.dirname, '..');

/** A policy repository (as a user has one) whose policies synthesize `definition(prefix, objects)`. */
function sourceDir(prefix: string, objects: number): string {
  const dir = join(REPO, '.palisade', 'bench-sources', `${prefix}-${objects}`);
  mkdirSync(join(dir, 'policies'), { recursive: true });
  mkdirSync(join(dir, 'clusters', prefix), { recursive: true });
  if (!existsSync(join(dir, 'lib'))) cpSync(join(REPO, 'lib'), join(dir, 'lib'), { recursive: true });
  const namespaces = Math.max(5, Math.round(objects / 100));
  writeFileSync(join(dir, 'policies', 'index.ts'), `import type { Construct } from 'constructs';
import { Agent, Port, Tool, Zone, type ClusterSpec } from '../lib/index.js';

export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {
  const zone = new Zone(scope, 'z');
  const tools = Array.from({ length: ${namespaces} }, (_, i) => new Tool(scope, \`tool-\${i}\`, { namespace: \`${prefix}-\${i}\`, zone, podLabels: { app: \`tool-\${i}\` }, ports: [Port.tcp(8080)] }));
  for (let i = 0; i < ${objects - namespaces * 4}; i++) new Agent(scope, \`agent-\${i}\`, { namespace: \`${prefix}-\${i % ${namespaces}}\`, zone, podLabels: { app: \`agent-\${i}\` } }).allowTo(tools[i % ${namespaces}]!);
}
`);
  writeFileSync(join(dir, 'clusters', prefix, 'cluster.yaml'), 'network: kubernetes\nadmission: vap\n');
  return dir;
}

const palisade = (args: readonly string[], ok: readonly number[] = [0], env?: NodeJS.ProcessEnv): { ms: number; code: number; stdout: string } => timed(process.execPath, [join(REPO, 'bin', 'palisade.js'), ...args], ok, env);
/** The first run after an edit: the synthesis memo (reconciler/sandbox/memo.ts) off, the sandbox synthesizes. */
const FRESH = { PALISADE_SYNTH_CACHE: 'off' };

function manifestFile(t: ClusterTarget): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-bench-')), 'all.yaml');
  const objs = [...t.desired.objects.values()];
  writeFileSync(file, [...objs.filter((o) => o.kind === 'Namespace'), ...objs.filter((o) => o.kind !== 'Namespace')].map(toYaml).join('---\n'));
  return file;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const s = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const rows: string[][] = [];

/**
 * An impersonator tampers with `n` managed NetworkPolicies the way the threat model allows: a
 * server-side apply under palisade's own field-manager name, with palisade's labels and
 * annotations (desired hash included) kept and the egress opened.
 */
async function impersonate(client: ClusterClient, victims: readonly KubeObject[]): Promise<void> {
  for (const v of victims) {
    const live = (await client.get({ apiVersion: v.apiVersion, kind: v.kind, name: v.metadata.name, namespace: v.metadata.namespace! }))!;
    await client.apply({ apiVersion: v.apiVersion, kind: v.kind, metadata: { name: v.metadata.name, namespace: v.metadata.namespace!, labels: live.metadata.labels ?? {}, annotations: live.metadata.annotations ?? {} }, spec: { ...(live['spec'] as object), egress: [{}] } }, { fieldManager: 'palisade', force: true });
  }
}

async function applyAndDrift(client: ClusterClient, kubeconfig: string): Promise<void> {
  const applies: number[] = [];
  const kubApplies: number[] = [];
  let source = '';
  for (let run = 0; run < APPLY_RUNS; run++) {
    source = sourceDir(`pal${run}`, OBJECTS);
    // Synthesized in the sandbox (an earlier benchmark run may have remembered the same revision).
    applies.push(palisade(['reconcile', '--once', '--source', source, '-c', `pal${run}`, '--kubeconfig', kubeconfig, '-f', 'json', '-o', '/dev/null'], [0], FRESH).ms);
    kubApplies.push(kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=bench', '-f', manifestFile(target(`kub${run}`, OBJECTS))]));
  }
  const cluster = `pal${APPLY_RUNS - 1}`;
  const mine = synthesizedTarget(cluster, OBJECTS);
  const theirs = manifestFile(target(`kub${APPLY_RUNS - 1}`, OBJECTS));
  const a = spread(applies);
  const k = spread(kubApplies);
  rows.push([`(c) initial apply, ${mine.desired.objects.size} objects, ${APPLY_RUNS} run(s), process (palisade concurrency 8, kubectl 1)`, a.text, k.text, `${(k.median / a.median).toFixed(1)}x faster (medians)`]);
  const drift = (ok: number[], env?: NodeJS.ProcessEnv): number => palisade(['drift', '--source', source, '-c', cluster, '--kubeconfig', kubeconfig, '-f', 'json', '-o', '/dev/null'], ok, env).ms;
  drift([0]); // untimed: makes the memo entry the timed runs read
  const clean = spread(Array.from({ length: RUNS }, () => drift([0])));
  const cleanFresh = spread(Array.from({ length: RUNS }, () => drift([0], FRESH)));
  const kub = spread(Array.from({ length: RUNS }, () => kubectl(kubeconfig, ['diff', '--server-side', '--field-manager=bench', '-f', theirs])));
  rows.push([`(b) cold drift check (new process), ${mine.desired.objects.size} objects untouched since apply, revision unchanged (synthesis memo)`, clean.text, kub.text, `${(kub.median / clean.median).toFixed(1)}x faster (medians)`]);
  rows.push([`(b) the same, first run after an edit (PALISADE_SYNTH_CACHE=off: synthesized in the sandbox)`, cleanFresh.text, kub.text, `${(kub.median / cleanFresh.median).toFixed(1)}x faster (medians)`]);
  const victims = [...mine.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-egress')).slice(0, Math.ceil(mine.desired.objects.size / 100));
  await impersonate(client, victims);
  const found = palisade(['drift', '--source', source, '-c', cluster, '--kubeconfig', kubeconfig, '-f', 'json'], [1]);
  const count = (JSON.parse(found.stdout) as Array<{ items: unknown[] }>).reduce((n, r) => n + r.items.length, 0);
  if (count !== victims.length) throw new Error(`bench: expected ${victims.length} drifted objects, the drift report has ${count}`);
  const touched = spread(Array.from({ length: RUNS }, () => drift([1])));
  rows.push([`(b) cold drift check (new process), ${victims.length} objects (1%) tampered by an impersonator (all ${count} reported); goal ≤ 2x untouched`, touched.text, kub.text, `${(touched.median / clean.median).toFixed(2)}x the untouched check`]);
}

/** The desired set the CLI synthesizes from `sourceDir(prefix, objects)`, for picking objects to tamper. */
function synthesizedTarget(prefix: string, objects: number): ClusterTarget {
  const spec = testCluster({ name: prefix });
  return { spec, desired: desiredFrom(synthesize(definition(prefix, objects), spec), 'bench'), probes: [] };
}

async function latencyAndIdle(kubeconfig: string): Promise<void> {
  const counter: RequestCounter = { count: 0 };
  const client = clientFor(loadKubeConfig({ kubeconfig }), counter);
  const t = target('lat', 300);
  const latencies: number[] = [];
  let resolveNext: (() => void) | undefined;
  const controller = new ClusterController(client, t, { metrics: new Metrics(), log: pino({ level: 'silent' }), fight: { threshold: 1_000_000 }, events: false, onCorrection: () => resolveNext?.() });
  await controller.start();
  const tamperer = clientFor(loadKubeConfig({ kubeconfig }));
  const policies = [...t.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-egress'));
  for (let i = 0; i < TAMPERS; i++) {
    const p = policies[i % policies.length]!;
    const live = (await tamperer.get({ apiVersion: p.apiVersion, kind: p.kind, namespace: p.metadata.namespace!, name: p.metadata.name }))!;
    const corrected = new Promise<void>((r) => { resolveNext = r; });
    const start = performance.now();
    await tamperer.replace({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, tampered: String(i) } } }, { fieldManager: 'attacker' });
    await corrected;
    latencies.push(performance.now() - start);
  }
  rows.push([`(a) tamper → corrected in watch mode, ${TAMPERS} tampers one after another (goal p99 ≤ 250 ms)`, `p50 ${s(pct(latencies, 50))}, p99 ${s(pct(latencies, 99))}, max ${s(Math.max(...latencies))}`, 'n/a (kubectl does not correct)', '']);
  await new Promise((r) => setTimeout(r, 2000));
  const before = counter.count;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  rows.push([`(d) API requests in ${IDLE_SECONDS} s idle (beyond open watches; goal 0)`, String(counter.count - before), '', '']);
  controller.stop();
}

/** A desired set as JSON (its object map as entries), to hand to the memory process as the sandbox hands synthesis results to the controller. */
function writeTarget(t: ClusterTarget, file: string): void {
  writeFileSync(file, JSON.stringify({ spec: t.spec, desired: { ...t.desired, objects: [...t.desired.objects] } }));
}

type Breakdown = Record<'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers', number>;

/**
 * The controller in its own process (bench/memory-child.mjs), running the compiled build/ as the
 * image does, so neither tsx nor this benchmark's synthesis inflates the number.
 */
function memory(kubeconfig: string): void {
  const targetFile = join(mkdtempSync(join(tmpdir(), 'palisade-bench-mem-')), 'target.json');
  writeTarget(target('mem', MEMORY_OBJECTS), targetFile);
  execFileSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { stdio: 'ignore' }); // build/ current with the sources
  const out = execFileSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'memory-child.mjs')], { env: { ...process.env, BENCH_KUBECONFIG: kubeconfig, BENCH_TARGET: targetFile }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as { objects: number; loaded: Breakdown; started: Breakdown; steady: Breakdown };
  const at = (b: Breakdown): string => `${b.rss} MB RSS (heap ${b.heapUsed} used / ${b.heapTotal} reserved)`;
  rows.push([`(e) resident memory, controller watching ${m.objects} managed objects (own process running the compiled build/ as the image does, desired set handed over synthesized; steady state 20 s after the watch replay; goal ≤ 300 MB)`, `${at(m.steady)} at steady state; ${at(m.started)} right after the first pass; ${at(m.loaded)} with the desired set loaded, before the controller starts`, '', '']);
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-cp-'));
const state = await startControlPlane({ name: 'bench', dir, ownerPid: process.pid, progress: silentProgress });
try {
  const client = clientFor(loadKubeConfig({ kubeconfig: state.kubeconfig }));
  // Latency first, while this process holds little else (large heaps mean longer GC pauses).
  if (SECTIONS.has('latency')) {
    process.stderr.write('bench: latency and idle...\n');
    await latencyAndIdle(state.kubeconfig);
  }
  if (SECTIONS.has('drift')) {
    process.stderr.write('bench: apply and drift...\n');
    await applyAndDrift(client, state.kubeconfig);
  }
  if (SECTIONS.has('memory')) {
    process.stderr.write('bench: memory...\n');
    memory(state.kubeconfig);
  }
} finally {
  await stopControlPlane(dir);
}
process.stdout.write(`reconciler benchmark (kube-apiserver v${state.versions.kubernetes} on loopback, 2 cores; process rows: min / median / max of ${RUNS} runs)\n| measurement | palisade | kubectl | ratio |\n|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
