import { LABELS } from '../../lib/core/labels.js';
import { keyOf, type KubeObject, type ResourceId } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import type { DesiredSet } from '../plan/types.js';
import { listOrEmpty } from './list.js';

/** How long a recorded fight stays a drift finding. */
export const FIGHT_WINDOW_MS = 15 * 60_000;

interface Fight { readonly id: ResourceId; readonly detail: string; readonly at: number }

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The fight one `FightDetected` Event records, when it is recent and about an object palisade manages. */
export function fightOf(e: KubeObject, desired: DesiredSet, now: Date): Fight | undefined {
  const o = (e['involvedObject'] ?? {}) as { apiVersion?: string; kind?: string; namespace?: string; name?: string };
  const at = Date.parse(text(e['lastTimestamp']));
  if (!o.apiVersion || !o.kind || !o.name || !(now.getTime() - at <= FIGHT_WINDOW_MS)) return undefined;
  const id: ResourceId = o.namespace ? { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name } : { apiVersion: o.apiVersion, kind: o.kind, name: o.name };
  if (!desired.objects.has(keyOf(id))) return undefined;
  return { id, detail: `${text(e['message']) || 'fight'} (recorded ${new Date(at).toISOString()})`, at };
}

/**
 * Fights watch mode recorded in the last FIGHT_WINDOW_MS on objects palisade manages (its
 * `FightDetected` Events, found by their labels), the latest per object. An Event is
 * attacker-writable where RBAC allows, but a forged one can only add a finding, never hide drift.
 */
export async function fightsOf(client: ClusterClient, desired: DesiredSet, now: Date): Promise<Array<{ id: ResourceId; detail: string }>> {
  const selector = `${LABELS.event}=fight,${LABELS.cluster}=${desired.cluster}`;
  const events = (await Promise.all([...desired.governedNamespaces, 'default'].map((ns) => listOrEmpty(client, { apiVersion: 'v1', kind: 'Event' }, { namespace: ns, labelSelector: selector })))).flat();
  const latest = new Map<string, Fight>();
  for (const f of events.map((e) => fightOf(e, desired, now))) {
    if (f && (latest.get(keyOf(f.id))?.at ?? -1) < f.at) latest.set(keyOf(f.id), f);
  }
  return [...latest.values()].map(({ id, detail }) => ({ id, detail }));
}
