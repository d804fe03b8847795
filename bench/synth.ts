/**
 * Benchmark: synthesize 1,000 agents for 3 clusters (kubernetes, cilium, calico backends), write
 * the files, and compare with `kubectl kustomize` reading the same output (a peer that only parses
 * and re-emits it). Two passes: the first creates ~3,500 files, the second rewrites them (the usual
 * case in a repository with dist/ checked out). Reports wall time, peak RSS and the ratio.
 * Run: npm run bench:synth   (BENCH_AGENTS=N to change the size)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { synthesize, writeSynthOutput } from '../lib/index.js';
import { fleet } from './fleet.js';
import { testCluster } from '../lib/testing/index.js';

const AGENTS = Number(process.env['BENCH_AGENTS'] ?? 1000);
const NAMESPACES = 50;
const NETWORKS = ['kubernetes', 'cilium', 'calico'] as const;

const define = fleet(AGENTS, NAMESPACES);

interface Pass { readonly totalMs: number; readonly writeMs: number; readonly objects: number }

async function pass(out: string): Promise<Pass> {
  const t0 = performance.now();
  let objects = 0;
  let writeMs = 0;
  for (const network of NETWORKS) {
    const result = synthesize(define, testCluster({ name: network, network }));
    objects += result.objects.length;
    const w = performance.now();
    await writeSynthOutput(result, out);
    writeMs += performance.now() - w;
  }
  return { totalMs: performance.now() - t0, writeMs, objects };
}

const out = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
const first = await pass(out);
const second = await pass(out);
const peakMb = process.resourceUsage().maxRSS / 1024;
const t1 = performance.now();
for (const network of NETWORKS) execFileSync('kubectl', ['kustomize', join(out, network)], { maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'inherit'] });
const kustomizeMs = performance.now() - t1;
rmSync(out, { recursive: true, force: true });

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
process.stdout.write(`synth benchmark: ${AGENTS} agents in ${NAMESPACES} namespaces, 3 clusters, ${second.objects} objects (goal: < 5 s, < 500 MB)\n`);
process.stdout.write('| what | wall time | of which YAML + file writes |\n|---|---|---|\n');
process.stdout.write(`| palisade synth, first run (creates every file) | ${s(first.totalMs)} | ${s(first.writeMs)} |\n`);
process.stdout.write(`| palisade synth, re-run (files exist) | ${s(second.totalMs)} | ${s(second.writeMs)} |\n`);
process.stdout.write(`| kubectl kustomize over the same output (peer: parse + emit only) | ${s(kustomizeMs)} | |\n`);
process.stdout.write(`| ratio palisade re-run / kubectl kustomize | ${(second.totalMs / kustomizeMs).toFixed(2)}x | |\n`);
process.stdout.write(`peak RSS: ${peakMb.toFixed(0)} MB\n`);
