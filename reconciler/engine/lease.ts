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

interface LeaseSpec { holderIdentity?: string; renewTime?: string | Date; leaseDurationSeconds?: number }

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

  private heldByOther(current: KubeObject | undefined, now: Date): boolean {
    const spec = (current?.['spec'] ?? {}) as LeaseSpec;
    if (!spec.holderIdentity || spec.holderIdentity === this.identity) return false;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    return renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000 >= now.getTime();
  }

  /** Takes or renews the lease; false when another live holder has it. */
  public async tryAcquire(now = new Date()): Promise<boolean> {
    const current = await this.client.get(this.id());
    if (this.heldByOther(current, now)) return false;
    const lease = this.leaseFor(current, now);
    try {
      if (current) await this.client.replace(lease);
      else await this.client.create(lease);
      return true;
    } catch (e) {
      if (isApiError(e) && (e.status === 409 || e.status === 422)) return false; // lost a race
      throw e;
    }
  }

  private leaseFor(current: KubeObject | undefined, now: Date): KubeObject {
    const held = ((current?.['spec'] ?? {}) as LeaseSpec).holderIdentity === this.identity;
    const version = current ? { resourceVersion: current.metadata['resourceVersion'] } : {};
    return {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.opts.name, namespace: INVENTORY_NAMESPACE, ...version },
      spec: { holderIdentity: this.identity, leaseDurationSeconds: this.duration, renewTime: micro(now), ...(held ? {} : { acquireTime: micro(now) }) },
    };
  }

  public get renewEveryMs(): number {
    return this.durationMs / 3;
  }

  public get durationMs(): number {
    return this.duration * 1000;
  }
}
