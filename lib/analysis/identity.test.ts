import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../core/resource-id.js';
import { collectModel } from '../constructs/model-builder.js';
import { synthObjects } from '../testing/index.js';
import { smallOrg } from '../../test/fixtures/small-org.js';
import { App, Chart } from 'cdk8s';
import { analyze } from './analyze.js';
import { representativeWorkloads } from './representatives.js';

/** A Deployment with the given labels running as the given ServiceAccount. */
function deployment(namespace: string, name: string, labels: Record<string, string>, serviceAccountName?: string): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } },
  };
}

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Workloads `agents/real` (app=x as ServiceAccount x) and `agents/impostor` (app=x as default), and `data/db`. */
const pods = [ns('agents'), ns('data'), deployment('agents', 'real', { app: 'x' }, 'x'), deployment('agents', 'impostor', { app: 'x' }), deployment('data', 'db', { app: 'db' })];

function reachOfDb(policy: KubeObject): string[] {
  const a = analyze([...pods, policy].map((object) => ({ object, source: 'test' })));
  return a.connections.filter((c) => c.dst.id === 'data/db[Deployment]' && c.src.type === 'workload').map((c) => c.src.id).sort();
}

describe('ServiceAccount selectors: two pods with the same labels but not the same identity get different reach', () => {
  it('Cilium io.cilium.k8s.policy.serviceaccount in a peer selector', () => {
    const cnp: KubeObject = {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'db-ingress', namespace: 'data' },
      spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x', 'io.cilium.k8s.policy.serviceaccount': 'x', 'k8s:io.kubernetes.pod.namespace': 'agents' } }] }] },
    };
    expect(reachOfDb(cnp)).toEqual(['agents/real[Deployment]']);
  });

  it('Calico serviceAccounts.names in a rule source', () => {
    const np: KubeObject = {
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'db-ingress', namespace: 'data' },
      spec: { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { namespaceSelector: 'all()', selector: "app == 'x'", serviceAccounts: { names: ['x'] } } }] },
    };
    expect(reachOfDb(np)).toEqual(['agents/real[Deployment]']);
  });

  it('Calico serviceAccountSelector picks the policy\'s subjects by identity', () => {
    const np: KubeObject = {
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x-isolated', namespace: 'agents' },
      spec: { selector: "app == 'x'", serviceAccountSelector: "projectcalico.org/name == 'default'", types: ['Egress'] },
    };
    // Only the impostor (ServiceAccount default) is isolated; the real agent is not selected.
    expect(reachOfDb(np)).toEqual(['agents/real[Deployment]']);
  });
});

describe('palisade output on identity-aware dataplanes', () => {
  const define = smallOrg();
  const model = (() => { const app = new App(); const c = new Chart(app, 'c'); define(c, undefined as never); return collectModel(c); })();

  it.each(['cilium', 'calico'] as const)('%s: a pod wearing the agent\'s labels as another ServiceAccount reaches nothing the agent may', (network) => {
    const objects = [...synthObjects(define, { network }), ...representativeWorkloads(model), deployment('agents', 'impostor', { app: 'researcher' })];
    const a = analyze(objects.map((object) => ({ object, source: 'test' })));
    const from = (id: string): string[] => a.connections.filter((c) => c.src.id === id && c.dst.type === 'workload' && c.dst.id !== 'kube-system/kube-dns[Deployment]').map((c) => c.dst.id);
    expect(from('agents/researcher[Deployment]')).toEqual(['tools/mcp[Deployment]']);
    expect(from('agents/impostor[Deployment]')).toEqual([]);
  });
});
