import type { Logger } from 'pino';
import type { ClusterSpec } from '../../lib/cluster/cluster-spec.js';
import type { ClusterClient } from '../cluster/client.js';
import { readDenials, type Denials } from '../observe/denials.js';
import { recordRefusal } from './events.js';
import type { Metrics } from './telemetry.js';

/**
 * Watch mode's view of blocked tampers: polls the API server's denial count for the cluster's
 * protection policy; each increase is a Warning Event `TamperDenied` in palisade-system, a log line
 * and a metric, so a tamper that admission stopped is still an incident signal.
 */
export class DenialMonitor {
  private last: number | undefined;
  private warnedUnreadable = false;

  public constructor(private readonly client: ClusterClient, private readonly spec: Pick<ClusterSpec, 'name' | 'protect'>, private readonly deps: { readonly metrics: Metrics; readonly log: Logger }) {}

  /** One poll: reads the count and reports what is new since the previous poll (or since the API server started, on the first). */
  public async check(): Promise<Denials | undefined> {
    const d = await readDenials(this.client, this.spec);
    if (d === undefined) return undefined;
    const cluster = this.spec.name;
    if ('error' in d) {
      if (!this.warnedUnreadable) this.deps.log.warn({ cluster, err: d.error }, 'denied tampers cannot be counted');
      this.warnedUnreadable = true;
      return d;
    }
    this.deps.metrics.admissionDenials.set({ cluster }, d.denied);
    // A lower count means another API server instance answered or it restarted: count from zero.
    const fresh = this.last === undefined || d.denied < this.last ? d.denied : d.denied - this.last;
    const since = this.last === undefined ? 'since the API server started' : 'since the last check';
    this.last = d.denied;
    if (fresh === 0) return d;
    this.deps.metrics.tampersDenied.inc({ cluster }, fresh);
    const message = `admission denied ${fresh} write(s) to objects palisade protects on cluster ${cluster} ${since} (ValidatingAdmissionPolicy ${d.policy}, ${d.denied} in all on this API server); who sent them is in the API server's audit log`;
    this.deps.log.warn({ cluster, denied: fresh, total: d.denied, policy: d.policy }, message);
    await recordRefusal(this.client, this.deps.log, { cluster, reason: 'TamperDenied', message });
    return d;
  }
}

