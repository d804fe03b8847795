import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { LABELS } from '../../lib/core/labels.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import type { RefusalReason } from '../gate/index.js';
import { INVENTORY_NAMESPACE, inventoryName } from '../inventory/inventory.js';

/** A Warning Event on `obj` (best effort: a failure is logged at debug, never fatal). */
export async function recordEvent(client: ClusterClient, log: Logger, event: { readonly obj: KubeObject; readonly reason: string; readonly message: string; readonly labels?: Record<string, string> }): Promise<void> {
  const { obj, reason, message, labels = {} } = event;
  const now = new Date().toISOString();
  await client.create({
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${randomBytes(6).toString('hex')}`, namespace: obj.metadata.namespace ?? 'default', labels },
    involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}) },
    reason, message, type: 'Warning',
    source: { component: 'palisade' }, firstTimestamp: now, lastTimestamp: now, count: 1,
  }).catch((e: unknown) => log.debug({ err: String(e) }, 'event not recorded'));
}

/**
 * A revision the reconciler refused to apply (a probe it violates, an unverified signature), or
 * writes admission refused (blocked tampers): a Warning Event on the cluster's inventory in
 * palisade-system, where on-call looks first.
 */
export function recordRefusal(client: ClusterClient, log: Logger, refusal: { readonly cluster: string; readonly reason: RefusalReason | 'TamperDenied'; readonly message: string }): Promise<void> {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: inventoryName(refusal.cluster), namespace: INVENTORY_NAMESPACE } };
  const event = refusal.reason === 'TamperDenied' ? 'tamper-denied' : 'revision-refused';
  return recordEvent(client, log, { obj, reason: refusal.reason, message: refusal.message, labels: { [LABELS.event]: event, [LABELS.cluster]: refusal.cluster } });
}
