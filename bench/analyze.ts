/**
 * Benchmark: connectivity analysis, palisade side by side with np-guard's `netpolicy` v1.4.4 (the
 * independent analyser the oracle tests use) on the same input directory.
 *
 *  1. the largest netpol-analyzer oracle case (by bytes of manifests): ipblockstest_4;
 *  2. a synthesized tree of 1,000 agents (kubernetes backend, NetworkPolicy) with one
 *     representative Deployment per agent, tool and data store.
 *
 * Both tools run as processes (`palisade analyze DIR -f txt` and `netpolicy list --dirpath DIR`),
 * so start-up is included on both sides; the in-process time of palisade's analysis (parse +
 * analyse + format) is reported too. The outputs are compared line by line, so a fast wrong answer
 * does not count. Run: npm run bench:analyze   (BENCH_AGENTS=N, BENCH_RUNS=N change the sizes)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { analyze, formatConnlist, readManifests, representativeWorkloads } from '../lib/analysis/index.js';
import { silentProgress } from '../lib/core/progress.js';
import { synthesize } from '../lib/index.js';
import { fleet } from './fleet.js';
import { testCluster } from '../lib/testing/index.js';
import { ensureBinary, netpolicySpec } from '../reconciler/controlplane/index.js';

const run = promisify(execFile);
const AGENTS = Number(process.env['BENCH_AGENTS'] ?? 1000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ORACLE = join(import.meta.dirname, '..', '..', 'shared', 'oracles', 'netpol-analyzer', 'tests');
const PALISADE = join(import.meta.dirname, '..', 'bin', 'palisade.js');
const BIG = 64 * 1024 * 1024;

const define = fleet(AGENTS);

/** Only what netpolicy reads: Namespaces, NetworkPolicies and workloads. */
const ANALYSED = new Set(['Namespace', 'NetworkPolicy', 'Deployment']);

function synthesizedTree(): string {
  const result = synthesize(define, testCluster({ name: 'bench', network: 'kubernetes' }));
  const objects = [...result.objects, ...representativeWorkloads(result.model)].filter((o) => ANALYSED.has(o.kind));
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-analyze-'));
  writeFileSync(join(dir, 'all.yaml'), objects.map((o) => dump(o, { noRefs: true })).join('---\n'));
  return dir;
}

function bytesOf(dir: string): number {
  return readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

function largestOracleCase(): string {
  const cases = readdirSync(ORACLE).map((c) => join(ORACLE, c)).filter((d) => statSync(d).isDirectory());
  return cases.reduce((a, b) => (bytesOf(b) > bytesOf(a) ? b : a));
}

/** netpolicy v1.4.4 omits the `[External]` suffix palisade (and later netpolicy versions) print. */
const normalise = (text: string): string[] => text.replace(/\[External\]/g, '').trim().split('\n').filter(Boolean).sort();

interface Timing { readonly bestMs: number; readonly output: string }

async function timed(fn: () => Promise<string>): Promise<Timing> {
  let bestMs = Infinity;
  let output = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    output = await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return { bestMs, output };
}

interface Row { readonly name: string; readonly lines: number; readonly palisadeMs: number; readonly inProcessMs: number; readonly netpolicyMs: number; readonly agree: boolean }

async function measure(name: string, dir: string, netpolicy: string): Promise<Row> {
  const inProcess = await timed(async () => formatConnlist(analyze(await readManifests([dir]))));
  const cli = await timed(async () => (await run(process.execPath, [PALISADE, 'analyze', dir, '-f', 'txt'], { maxBuffer: BIG })).stdout);
  const theirs = await timed(async () => (await run(netpolicy, ['list', '--dirpath', dir], { maxBuffer: BIG })).stdout);
  const agree = JSON.stringify(normalise(cli.output)) === JSON.stringify(normalise(theirs.output));
  return { name, lines: normalise(theirs.output).length, palisadeMs: cli.bestMs, inProcessMs: inProcess.bestMs, netpolicyMs: theirs.bestMs, agree };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function report(rows: readonly Row[]): void {
  process.stdout.write(`analysis benchmark: best of ${RUNS} runs each, palisade and netpolicy v1.4.4 as processes on the same directory\n`);
  process.stdout.write('| input | connections | palisade analyze (process) | of which analysis in-process | netpolicy list | ratio netpolicy / palisade | outputs agree |\n|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    const ratio = r.netpolicyMs / r.palisadeMs;
    const verdict = ratio >= 1 ? `${ratio.toFixed(2)}x (palisade faster)` : `${(1 / ratio).toFixed(2)}x slower`;
    process.stdout.write(`| ${r.name} | ${r.lines} | ${s(r.palisadeMs)} | ${s(r.inProcessMs)} | ${s(r.netpolicyMs)} | ${verdict} | ${r.agree ? 'yes' : '**no**'} |\n`);
  }
  process.stdout.write(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
}

const netpolicy = await ensureBinary(netpolicySpec(), { progress: silentProgress });
const rows: Row[] = [];
if (existsSync(ORACLE)) {
  const big = largestOracleCase();
  rows.push(await measure(`oracle ${big.split('/').pop()!} (${(bytesOf(big) / 1024).toFixed(0)} KiB)`, big, netpolicy));
} else process.stderr.write(`skipping the oracle case: ${ORACLE} not found (clone ../shared beside the repository)\n`);
const tree = synthesizedTree();
rows.push(await measure(`synthesized ${AGENTS} agents (${(bytesOf(tree) / 1024).toFixed(0)} KiB)`, tree, netpolicy));
rmSync(tree, { recursive: true, force: true });
report(rows);
if (rows.some((r) => !r.agree)) process.exitCode = 1;
