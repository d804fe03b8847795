// The memory benchmark's controller process (bench/reconciler.ts, section "memory"). It runs the
// compiled build/ as the in-cluster image does (bin/palisade.js), without tsx or the synthesis
// library loaded, so the number is the controller's own. The desired set comes synthesized, as JSON
// from the parent: in a cluster the controller synthesizes in a sandbox child process too
// (reconciler/sandbox), so its resident set never holds a synthesis.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { clientFor } from '../build/reconciler/cluster/client.js';
import { loadKubeConfig } from '../build/reconciler/cluster/connect.js';
import { ClusterController } from '../build/reconciler/engine/controller.js';
import { Metrics } from '../build/reconciler/engine/telemetry.js';

const mb = (n) => Math.round(n / 2 ** 20);
/** Where resident memory sits (MB): V8's heap (used, reserved), external and ArrayBuffer memory. */
const breakdown = () => Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)]));

const raw = JSON.parse(readFileSync(process.env.BENCH_TARGET, 'utf8'));
const target = { spec: raw.spec, desired: { ...raw.desired, objects: new Map(raw.desired.objects) }, probes: [] };
const client = clientFor(loadKubeConfig({ kubeconfig: process.env.BENCH_KUBECONFIG }));
global.gc?.();
const loaded = breakdown();
const controller = new ClusterController(client, target, { metrics: new Metrics(), log: pino({ level: 'silent' }), events: false, resyncMs: 0 });
await controller.start();
const started = breakdown();
// Steady state: the watches replay every object as ADDED; let the controller work through them.
await new Promise((r) => setTimeout(r, 20_000));
global.gc?.();
const steady = breakdown();
process.stderr.write(`bench: memory loaded ${JSON.stringify(loaded)}, after the first pass ${JSON.stringify(started)}, at steady state ${JSON.stringify(steady)}\n`);
process.stdout.write(JSON.stringify({ objects: target.desired.objects.size, loaded, started, steady }));
controller.stop();
process.exit(0);
