import { protectPolicyName } from '../../lib/core/order.js';
import type { ClusterSpec } from '../../lib/cluster/cluster-spec.js';
import type { ClusterClient } from '../cluster/client.js';

/**
 * Blocked tampers as an incident signal: the API server counts every request its admission policies
 * deny, per policy and binding (`apiserver_validating_admission_policy_check_total`, BETA since
 * Kubernetes 1.28). palisade reads the count for its protection policy from `/metrics`. The count
 * is per API server instance and since its start; who sent the request is only in the audit log
 * (README: Responding to incidents).
 */

export const DENIAL_METRIC = 'apiserver_validating_admission_policy_check_total';

export type Denials =
  | { readonly policy: string; readonly denied: number }
  | { readonly policy: string; readonly error: string };

/** `k="v",k2="v2"` of a Prometheus text sample (escapes `\\`, `\"`, `\n` resolved). */
function labelsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out.set(m[1]!, m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  return out;
}

/** Requests `policy` denied, summed over its bindings and error types, from Prometheus text exposition. Pure. */
export function countDenials(metrics: string, policy: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}\s+(\S+)/.exec(line);
    if (m === null || m[1] !== DENIAL_METRIC) continue;
    const labels = labelsOf(m[2]!);
    if (labels.get('policy') === policy && labels.get('enforcement_action') === 'deny') total += Number(m[3]);
  }
  return total;
}

/** The protection policy's denial count on the API server answering this client; undefined without protection. */
export async function readDenials(client: ClusterClient, spec: Pick<ClusterSpec, 'name' | 'protect'>): Promise<Denials | undefined> {
  if (spec.protect === undefined || spec.protect === false) return undefined;
  const policy = protectPolicyName(spec.name);
  try {
    return { policy, denied: countDenials(await client.getText('/metrics'), policy) };
  } catch (e) {
    return { policy, error: `cannot read the API server's /metrics (${(e as Error).message.split('\n')[0]})` };
  }
}
