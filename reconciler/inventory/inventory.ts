import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FIELD_MANAGER, LABELS, MANAGED_BY_VALUE } from '../../lib/core/labels.js';
import { groupOf, keyOf, type KubeObject, type ResourceId, type ResourceKey } from '../../lib/core/resource-id.js';
import { isApiError, type ClusterClient } from '../cluster/client.js';
import type { Inventory, InventoryEntry } from '../plan/types.js';

/**
 * The inventory: an ApplySet parent (a ConfigMap in `palisade-system`) recording every object
 * palisade applied with its UID. Members carry `applyset.kubernetes.io/part-of`, so kubectl's
 * ApplySet tooling and palisade agree on what belongs to the set.
 */

export const INVENTORY_NAMESPACE = 'palisade-system';
export const PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
const ID_LABEL = 'applyset.kubernetes.io/id';

export function inventoryName(cluster: string): string {
  return `palisade-inventory-${cluster}`;
}

/** ApplySet ID per KEP-3659: base64url(sha256(name.namespace.kind.group)), prefixed and versioned. */
export function applySetId(cluster: string): string {
  const digest = createHash('sha256').update(`${inventoryName(cluster)}.${INVENTORY_NAMESPACE}.ConfigMap.`).digest('base64url');
  return `applyset-${digest}-v1`;
}

const parentId = (cluster: string): ResourceId => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: INVENTORY_NAMESPACE, name: inventoryName(cluster) });

const DATA_KEY = 'inventory.tsv.gz';

/** One line per object: apiVersion, kind, namespace, name, UID, resourceVersion (tab-separated), gzipped: 10,000 objects fit a ConfigMap. */
export function encodeEntries(entries: readonly InventoryEntry[]): string {
  const lines = entries.map((e) => [e.id.apiVersion, e.id.kind, e.id.namespace ?? '', e.id.name, e.uid, e.resourceVersion].join('\t'));
  return gzipSync(lines.join('\n')).toString('base64');
}

export function decodeEntries(data: string): InventoryEntry[] {
  const text = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const [apiVersion = '', kind = '', namespace = '', name = '', uid = '', resourceVersion = ''] = line.split('\t');
    const id = namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name };
    return { id, key: keyOf(id), uid, resourceVersion };
  });
}

function entriesOf(cm: KubeObject | undefined): InventoryEntry[] {
  const data = (cm?.['binaryData'] as Record<string, string> | undefined)?.[DATA_KEY];
  return data ? decodeEntries(data) : [];
}

export async function loadInventory(client: ClusterClient, cluster: string): Promise<Inventory> {
  return { entries: entriesOf(await client.get(parentId(cluster))) };
}

function groupKinds(entries: readonly InventoryEntry[]): string {
  return [...new Set(entries.map((e) => { const g = groupOf(e.id.apiVersion); return g ? `${e.id.kind}.${g}` : e.id.kind; }))].sort().join(',');
}

/** The namespace that holds inventories; created before anything else. */
export function inventoryNamespace(): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INVENTORY_NAMESPACE, labels: { [LABELS.managedBy]: MANAGED_BY_VALUE } } };
}

function inventoryObject(cluster: string, entries: readonly InventoryEntry[], resourceVersion?: string): KubeObject {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: inventoryName(cluster), namespace: INVENTORY_NAMESPACE, ...(resourceVersion ? { resourceVersion } : {}),
      labels: { [ID_LABEL]: applySetId(cluster), [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.cluster]: cluster },
      annotations: { 'applyset.kubernetes.io/tooling': `${FIELD_MANAGER}/v0.1.0`, 'applyset.kubernetes.io/contains-group-kinds': groupKinds(sorted) },
    },
    binaryData: { [DATA_KEY]: encodeEntries(sorted) },
  };
}

/**
 * Read-modify-write of the inventory, guarded by its resourceVersion and retried on a conflict, so
 * concurrent passes (watch-mode corrections of different objects, a resync) never lose each
 * other's records.
 */
export async function updateInventory(client: ClusterClient, cluster: string, change: (entries: readonly InventoryEntry[]) => readonly InventoryEntry[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const cm = await client.get(parentId(cluster));
    const rv = cm?.metadata['resourceVersion'];
    const next = change(entriesOf(cm));
    try {
      await (typeof rv === 'string' ? client.replace(inventoryObject(cluster, next, rv)) : client.create(inventoryObject(cluster, next)));
      return;
    } catch (e) {
      if (!(isApiError(e) && e.status === 409) || attempt >= 10) throw e;
    }
  }
}

export type { Inventory, InventoryEntry, ResourceKey };

/** Where a pass reads and records ownership: the ConfigMap itself, or a cache in front of it. */
export interface InventoryStore {
  read(): Promise<Inventory>;
  update(change: (entries: readonly InventoryEntry[]) => readonly InventoryEntry[]): Promise<void>;
}

/** The inventory ConfigMap, read on every pass (CLI commands: one pass per process). */
export function configMapStore(client: ClusterClient, cluster: string): InventoryStore {
  return { read: () => loadInventory(client, cluster), update: (change) => updateInventory(client, cluster, change) };
}

/**
 * A cache in front of the ConfigMap for a long-running reconciler that holds the cluster's Lease
 * (so it is the inventory's only writer): reads are served from memory; updates change the cache
 * at once and are written behind, coalesced (one write in flight, guarded by the ConfigMap's
 * resourceVersion), so a correction does not wait for bookkeeping. `refresh()` flushes, then
 * re-reads. A write that fails is retried with the next update or refresh.
 */
export class CachedInventory implements InventoryStore {
  private cached: Inventory | undefined;
  private dirty = false;
  private flushing: Promise<void> | undefined;

  public constructor(private readonly client: ClusterClient, private readonly cluster: string, private readonly onError: (e: unknown) => void = () => undefined) {}

  public async read(): Promise<Inventory> {
    this.cached ??= await loadInventory(this.client, this.cluster);
    return this.cached;
  }

  public async update(change: (entries: readonly InventoryEntry[]) => readonly InventoryEntry[]): Promise<void> {
    this.cached = { entries: change((await this.read()).entries) };
    this.dirty = true;
    this.flushing ??= this.writeBehind().finally(() => { this.flushing = undefined; });
  }

  /** Waits until every update so far is in the ConfigMap. */
  public async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.dirty) {
      this.flushing = this.writeBehind().finally(() => { this.flushing = undefined; });
      await this.flushing;
    }
  }

  public async refresh(): Promise<void> {
    await this.flush();
    this.cached = undefined;
  }

  private async writeBehind(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    while (this.dirty && this.cached) {
      this.dirty = false;
      const { entries } = this.cached;
      try {
        await updateInventory(this.client, this.cluster, () => entries);
      } catch (e) {
        this.dirty = true;
        this.onError(e);
        return;
      }
    }
  }
}
