import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Metrics of the reconciler, registered in their own registry. */
export class Metrics {
  public readonly registry = new Registry();
  public readonly passes = new Counter({ name: 'palisade_reconcile_passes_total', help: 'Full reconcile passes', labelNames: ['cluster', 'result'], registers: [this.registry] });
  public readonly corrections = new Counter({ name: 'palisade_drift_corrections_total', help: 'Drifted objects corrected', labelNames: ['cluster', 'kind', 'drift'], registers: [this.registry] });
  public readonly fights = new Counter({ name: 'palisade_fights_total', help: 'Objects in a fight with another controller (corrections backed off)', labelNames: ['cluster', 'kind'], registers: [this.registry] });
  public readonly latency = new Histogram({ name: 'palisade_correction_latency_seconds', help: 'Time from a cluster event to the corrected write', labelNames: ['cluster'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry] });
  public readonly managed = new Gauge({ name: 'palisade_managed_objects', help: 'Objects palisade manages', labelNames: ['cluster'], registers: [this.registry] });
  public readonly refusals = new Counter({ name: 'palisade_revisions_refused_total', help: 'Revisions not applied because a gate refused them (probe)', labelNames: ['cluster', 'reason'], registers: [this.registry] });
  public readonly admissionDenials = new Gauge({ name: 'palisade_admission_denials', help: 'Writes the protection policy denied, as counted by the API server palisade talks to (since that server started)', labelNames: ['cluster'], registers: [this.registry] });
  public readonly tampersDenied = new Counter({ name: 'palisade_tampers_denied_total', help: 'Denied writes to protected objects seen by this reconciler (increases of palisade_admission_denials)', labelNames: ['cluster'], registers: [this.registry] });
  public readonly revision = new Gauge({ name: 'palisade_source_revision_info', help: 'Revision being enforced', labelNames: ['cluster', 'revision'], registers: [this.registry] });

  public constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** Structured JSON logs on stderr (level from PALISADE_LOG_LEVEL, default info). */
export function newLogger(): Logger {
  return pino({ name: 'palisade', level: process.env['PALISADE_LOG_LEVEL'] ?? 'info' }, pino.destination(2));
}

export interface HealthState {
  ready: boolean;
  leader: boolean;
  lastPass?: Date;
}

/** /metrics, /healthz (process alive) and /readyz (first pass done). */
export function serveTelemetry(metrics: Metrics, health: HealthState, listen: { host: string; port: number }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => { res.writeHead(200, { 'Content-Type': metrics.registry.contentType }); res.end(text); });
    } else if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (req.url === '/readyz') {
      res.writeHead(health.ready ? 200 : 503).end(health.ready ? 'ok' : 'first reconcile pass not done');
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}
