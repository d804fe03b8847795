/**
 * Reconciler benchmarks, side by side with kubectl against one local API server started here:
 *  (a) tamper → corrected latency in watch mode, p50/p99 over BENCH_TAMPERS (default 100) tampers;
 *  (b) full drift check of BENCH_OBJECTS (default 5,000) managed objects vs `kubectl diff --server-side`;
 *  (c) initial apply of the same number of objects vs `kubectl apply --server-side`;
 *  (d) API requests during BENCH_IDLE_SECONDS (default 60) of idle watch mode (beyond the open watches);
 *  (e) resident memory of the controller with BENCH_MEMORY_OBJECTS (default 10,000) managed objects.
 * Run: npm run bench:reconciler
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Agent, Port, synthesize, Tool, toYaml, Zone, type PolicyDefinition } from '../lib/index.js';
import { silentProgress } from '../lib/core/progress.js';
import { testCluster } from '../lib/testing/index.js';
import { clientFor, type ClusterClient, type RequestCounter } from '../reconciler/cluster/client.js';
import { loadKubeConfig } from '../reconciler/cluster/connect.js';
import { startControlPlane, stopControlPlane } from '../reconciler/controlplane/index.js';
import { ClusterController } from '../reconciler/engine/controller.js';
import { reconcileOnce } from '../reconciler/engine/reconcile-once.js';
import { Metrics } from '../reconciler/engine/telemetry.js';
import { Predictor } from '../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../reconciler/source/desired.js';

const env = (k: string, d: number): number => Number(process.env[k] ?? d);
const OBJECTS = env('BENCH_OBJECTS', 5000);
const TAMPERS = env('BENCH_TAMPERS', 100);
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 60);
const MEMORY_OBJECTS = env('BENCH_MEMORY_OBJECTS', 10_000);

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
  return { spec, desired: { ...d, objects: new Map([...d.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmissionPolicy'))), admissionPolicies: [] } };
}

function kubectl(kubeconfig: string, args: string[]): number {
  const t = performance.now();
  try {
    execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    if ((e as { status?: number }).status !== 1) throw e; // kubectl diff exits 1 when it finds differences
  }
  return performance.now() - t;
}

function manifestFile(t: ClusterTarget): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-bench-')), 'all.yaml');
  const objs = [...t.desired.objects.values()];
  writeFileSync(file, [...objs.filter((o) => o.kind === 'Namespace'), ...objs.filter((o) => o.kind !== 'Namespace')].map(toYaml).join('---\n'));
  return file;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const s = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const rows: string[][] = [];

/** Another writer (as `kubectl label` would) adds a label to `n` managed NetworkPolicies. */
async function tamperSome(client: ClusterClient, t: ClusterTarget, n: number): Promise<number> {
  const victims = [...t.desired.objects.values()].filter((o) => o.kind === 'NetworkPolicy').slice(0, n);
  for (const v of victims) {
    const live = (await client.get({ apiVersion: v.apiVersion, kind: v.kind, name: v.metadata.name, namespace: v.metadata.namespace! }))!;
    await client.replace({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, tampered: 'true' } } }, { fieldManager: 'kubectl-label' });
  }
  return victims.length;
}

async function applyAndDrift(client: ClusterClient, kubeconfig: string): Promise<void> {
  const mine = target('pal', OBJECTS);
  const theirs = manifestFile(target('kub', OBJECTS));
  let t = performance.now();
  await reconcileOnce(client, new Predictor(client), mine, { write: true, concurrency: 16 });
  const palApply = performance.now() - t;
  const kubApply = kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=bench', '-f', theirs]);
  rows.push([`(c) initial apply, ${mine.desired.objects.size} objects`, s(palApply), s(kubApply), `${(kubApply / palApply).toFixed(1)}x faster`]);
  t = performance.now();
  await reconcileOnce(client, new Predictor(client), mine, { write: false });
  const cold = performance.now() - t;
  const warmPredictor = new Predictor(client);
  await reconcileOnce(client, warmPredictor, mine, { write: false });
  t = performance.now();
  await reconcileOnce(client, warmPredictor, mine, { write: false });
  const warm = performance.now() - t;
  const tampered = await tamperSome(client, mine, Math.ceil(mine.desired.objects.size / 100));
  t = performance.now();
  const touched = await reconcileOnce(client, new Predictor(client), mine, { write: false });
  const coldTouched = performance.now() - t;
  if (touched.report.items.length !== tampered) throw new Error(`bench: expected ${tampered} drifted objects, got ${touched.report.items.length}`);
  const kubDiff = kubectl(kubeconfig, ['diff', '--server-side', '--field-manager=bench', '-f', theirs]);
  rows.push([`(b) full drift check, ${mine.desired.objects.size} objects, cold (new process; nothing touched since apply)`, s(cold), s(kubDiff), `${(kubDiff / cold).toFixed(1)}x faster`]);
  rows.push([`(b) full drift check, ${mine.desired.objects.size} objects, cold, ${tampered} objects tampered by another writer (all found)`, s(coldTouched), s(kubDiff), `${(kubDiff / coldTouched).toFixed(1)}x faster`]);
  rows.push([`(b) full drift check, ${mine.desired.objects.size} objects, warm (predictions cached)`, s(warm), s(kubDiff), `${(kubDiff / warm).toFixed(1)}x faster`]);
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
  rows.push([`(a) tamper → corrected, ${TAMPERS} tampers (goal p50 ≤ 50 ms, p99 ≤ 250 ms)`, `p50 ${s(pct(latencies, 50))}, p99 ${s(pct(latencies, 99))}`, 'n/a (kubectl does not correct)', '']);
  await new Promise((r) => setTimeout(r, 2000));
  const before = counter.count;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  rows.push([`(d) API requests in ${IDLE_SECONDS} s idle (beyond open watches; goal 0)`, String(counter.count - before), '', '']);
  controller.stop();
}

/** Runs in a fresh process (BENCH_PHASE=memory) so nothing else inflates the number. */
async function memoryPhase(kubeconfig: string): Promise<void> {
  const client = clientFor(loadKubeConfig({ kubeconfig }));
  const t = target('mem', MEMORY_OBJECTS);
  const controller = new ClusterController(client, t, { metrics: new Metrics(), log: pino({ level: 'silent' }), events: false });
  await controller.start();
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(JSON.stringify({ objects: t.desired.objects.size, rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 }));
  controller.stop();
  process.exit(0);
}

function memory(kubeconfig: string): void {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'reconciler.ts')], { env: { ...process.env, BENCH_PHASE: 'memory', BENCH_KUBECONFIG: kubeconfig }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as { objects: number; rssMb: number; heapMb: number };
  rows.push([`(e) resident memory, controller watching ${m.objects} managed objects (own process, after a full pass)`, `${m.rssMb.toFixed(0)} MB RSS, ${m.heapMb.toFixed(0)} MB heap`, '', '']);
}

if (process.env['BENCH_PHASE'] === 'memory') await memoryPhase(process.env['BENCH_KUBECONFIG']!);

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-cp-'));
const state = await startControlPlane({ name: 'bench', dir, ownerPid: process.pid, progress: silentProgress });
try {
  const client = clientFor(loadKubeConfig({ kubeconfig: state.kubeconfig }));
  // Latency first, while this process holds little else (large heaps mean longer GC pauses).
  process.stderr.write('bench: latency and idle...\n');
  await latencyAndIdle(state.kubeconfig);
  process.stderr.write('bench: apply and drift...\n');
  await applyAndDrift(client, state.kubeconfig);
  process.stderr.write('bench: memory...\n');
  memory(state.kubeconfig);
} finally {
  await stopControlPlane(dir);
}
process.stdout.write(`reconciler benchmark (kube-apiserver v${state.versions.kubernetes} on loopback, 2 cores)\n| measurement | palisade | kubectl | ratio |\n|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
