import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { clientFor, type ClusterClient } from '../../reconciler/cluster/client.js';
import { loadKubeConfig } from '../../reconciler/cluster/connect.js';

/** A client for the integration run's API server (admin identity). */
export function testClient(): ClusterClient {
  return clientFor(loadKubeConfig({ kubeconfig: inject('kubeconfig') }));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Creates a fresh namespace for one test. Namespaces are never awaited for deletion (no controllers run). */
export async function freshNamespace(client: ClusterClient, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = uniqueName(prefix);
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'palisade.dev/test': 'true', ...labels } } });
  return name;
}

/** Retries `fn` until it returns without throwing and `accept` holds, or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

/**
 * Runs `fn` and returns the HTTP status of the API error it threw (with the Status `reason` when
 * the API server sent one), or 200 when it succeeded.
 */
export async function statusOf(fn: () => Promise<unknown>): Promise<{ status: number; message: string; reason?: string }> {
  try {
    await fn();
    return { status: 200, message: 'ok' };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === undefined) throw e;
    const body = (e as { body?: unknown }).body;
    const parsed = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
    const reason = (parsed as { reason?: string } | undefined)?.reason;
    return { status, message: (e as Error).message, ...(reason ? { reason } : {}) };
  }
}
