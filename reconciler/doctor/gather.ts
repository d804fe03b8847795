import type { KubeObject } from '../../lib/core/resource-id.js';
import type { ClusterClient } from '../cluster/client.js';
import { listOrEmpty } from '../observe/list.js';
import type { ClusterFacts } from './checks.js';

/** Whether the API server serves a kind (discovery knows it). */
async function served(client: ClusterClient, apiVersion: string, kind: string): Promise<boolean> {
  try {
    await client.collectionPath(apiVersion, kind);
    return true;
  } catch (e) {
    if (e instanceof Error && /does not serve|Unrecognized API version and kind|HTTP 404|HTTP-Code: 404/.test(e.message)) return false;
    throw e;
  }
}

const readyOf = (o: KubeObject, field: 'availableReplicas' | 'numberReady'): number => Number((o['status'] as Record<string, unknown> | undefined)?.[field] ?? 0);

async function unserved(client: ClusterClient, objects: readonly KubeObject[]): Promise<string[]> {
  const kinds = [...new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`))].sort();
  const out: string[] = [];
  for (const k of kinds) {
    const slash = k.lastIndexOf('/');
    if (!(await served(client, k.slice(0, slash), k.slice(slash + 1)))) out.push(k);
  }
  return out;
}

async function ciliumConfig(client: ClusterClient): Promise<ClusterFacts['ciliumConfig']> {
  const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'cilium-config' });
  if (cm === undefined) return undefined;
  const data = (cm['data'] ?? {}) as Record<string, string>;
  const labels = data['labels'];
  const file = data['label-prefix-file'];
  const cnp = data['enable-k8s-cluster-network-policy'];
  const mode = data['enable-policy'];
  const audit = data['policy-audit-mode'];
  return {
    ...(labels === undefined ? {} : { labels }), ...(file ? { labelPrefixFile: file } : {}), ...(cnp === undefined ? {} : { clusterNetworkPolicy: cnp }),
    ...(mode === undefined ? {} : { enablePolicy: mode }), ...(audit === undefined ? {} : { policyAuditMode: audit }),
  };
}

async function ciliumImage(client: ClusterClient): Promise<string | undefined> {
  const ds = await client.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium' });
  const containers = ((ds?.['spec'] as { template?: { spec?: { containers?: Array<{ name: string; image: string }> } } } | undefined)?.template?.spec?.containers) ?? [];
  return (containers.find((c) => c.name === 'cilium-agent') ?? containers[0])?.image;
}

/** Service default/kubernetes and the API server addresses its EndpointSlices publish (the API server maintains both). */
async function kubernetesService(client: ClusterClient): Promise<ClusterFacts['kubernetesService']> {
  const svc = await client.get({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'kubernetes' });
  if (svc === undefined) return undefined;
  const spec = (svc['spec'] ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
  const slices = await listOrEmpty(client, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' }, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
  const endpoints = slices.flatMap((s) => ((s['endpoints'] ?? []) as Array<{ addresses?: string[] }>).flatMap((e) => e.addresses ?? []));
  return { clusterIPs: spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []), endpoints: [...new Set(endpoints)].sort() };
}

async function readyCount(client: ClusterClient, kind: 'Deployment' | 'DaemonSet', labelSelector: string): Promise<number> {
  const field = kind === 'Deployment' ? 'availableReplicas' : 'numberReady';
  return (await listOrEmpty(client, { apiVersion: 'apps/v1', kind }, { labelSelector })).reduce((n, o) => n + readyOf(o, field), 0);
}

/** Reads what doctor judges, read-only: discovery, cilium-config, the Cilium DaemonSet, Calico tiers, Kyverno and Tetragon workloads. */
export async function gatherFacts(client: ClusterClient, objects: readonly KubeObject[]): Promise<ClusterFacts> {
  const config = await ciliumConfig(client);
  const image = await ciliumImage(client);
  const tiers = await listOrEmpty(client, { apiVersion: 'projectcalico.org/v3', kind: 'Tier' }, {});
  const service = await kubernetesService(client);
  return {
    unservedKinds: await unserved(client, objects),
    ...(config === undefined ? {} : { ciliumConfig: config }),
    ...(image === undefined ? {} : { ciliumImage: image }),
    ...(service === undefined ? {} : { kubernetesService: service }),
    calicoTiers: new Map(tiers.map((t) => [t.metadata.name, Number((t['spec'] as { order?: number } | undefined)?.order ?? Number.NaN)])),
    kyvernoReady: await readyCount(client, 'Deployment', 'app.kubernetes.io/part-of=kyverno'),
    tetragonReady: await readyCount(client, 'DaemonSet', 'app.kubernetes.io/name=tetragon'),
  };
}
