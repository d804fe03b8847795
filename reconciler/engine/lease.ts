import { hostname } from 'node:os';
import type { KubeObject } from '../../lib/core/resource-id.js';
import { isApiError, type ClusterClient } from '../cluster/client.js';
import { INVENTORY_NAMESPACE } from '../inventory/inventory.js';

/** Leader election through a coordination.k8s.io/v1 Lease, so several replicas can run. */
export interface LeaseOptions {
  readonly name: string;
  /** @default hostname-pid */
  readonly identity?: string;
  /** @default 15 */
  readonly durationSeconds?: number;
}

const micro = (d: Date): string => d.toISOString().replace('Z', '000Z');

export class LeaderLease {
  public readonly identity: string;
  private readonly duration: number;

  public constructor(private readonly client: ClusterClient, private readonly opts: LeaseOptions) {
    this.identity = opts.identity ?? `${hostname()}-${process.pid}`;
    this.duration = opts.durationSeconds ?? 15;
  }

  private id(): { apiVersion: string; kind: string; namespace: string; name: string } {
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: INVENTORY_NAMESPACE, name: this.opts.name };
  }

  /** Takes or renews the lease; false when another live holder has it. */
  public async tryAcquire(now = new Date()): Promise<boolean> {
    const current = await this.client.get(this.id());
    const spec = (current?.['spec'] ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
    const expired = !spec.renewTime || Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? this.duration) * 1000 < now.getTime();
    if (current && spec.holderIdentity && spec.holderIdentity !== this.identity && !expired) return false;
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.opts.name, namespace: INVENTORY_NAMESPACE, ...(current ? { resourceVersion: current.metadata['resourceVersion'] } : {}) },
      spec: { holderIdentity: this.identity, leaseDurationSeconds: this.duration, renewTime: micro(now), ...(spec.holderIdentity === this.identity ? {} : { acquireTime: micro(now) }) },
    };
    try {
      if (current) await this.client.replace(lease);
      else await this.client.create(lease);
      return true;
    } catch (e) {
      if (isApiError(e) && (e.status === 409 || e.status === 422)) return false; // lost a race
      throw e;
    }
  }

  public get renewEveryMs(): number {
    return (this.duration * 1000) / 3;
  }
}
