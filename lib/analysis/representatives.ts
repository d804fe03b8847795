import type { KubeObject } from '../core/resource-id.js';
import { agentOf } from '../model/identity.js';
import type { AgentModel, EndpointModel, PolicyModel } from '../model/model.js';
import type { SourcedObject } from './inputs.js';

/**
 * Synthesized output holds policies, not workloads. To analyse it, palisade adds one
 * representative Deployment per agent and endpoint (with the pod labels and ports the model
 * declares) and the cluster DNS, so connections read `agents/coding-agent[Deployment] => …`.
 */
export const AGENT_LABEL = 'palisade.dev/analysis-role';

interface Representative {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** agent, tool, data store, dns, … (an annotation, so it does not change what selectors match). */
  readonly role: string;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly protocol: string }>;
  /** The identity its pods run as (agents: theirs; others: the namespace's default). */
  readonly serviceAccount?: string;
}

function deployment({ namespace, name, labels, role, ports, serviceAccount }: Representative): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations: { [AGENT_LABEL]: role } },
    spec: {
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: { ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}), containers: [{ name: 'main', image: 'representative', ports: ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })) }] },
      },
    },
  };
}

const agentObject = (a: AgentModel): KubeObject => deployment({ namespace: a.namespace, name: a.name, labels: a.podLabels, role: 'agent', ports: [], serviceAccount: a.serviceAccount });
/** An endpoint that is also an agent (same pods) runs as that agent. */
const endpointObject = (model: PolicyModel, e: EndpointModel): KubeObject => {
  const agent = agentOf(model, e);
  return deployment({ namespace: e.namespace, name: e.name, labels: e.podLabels, role: e.kind, ports: e.ports, ...(agent ? { serviceAccount: agent.serviceAccount } : {}) });
};

/** Analysis input for one synthesized cluster: its objects plus the representative workloads. */
export function synthesizedInput(cluster: string, objects: readonly KubeObject[], model: PolicyModel): SourcedObject[] {
  return [...objects, ...representativeWorkloads(model)].map((o) => ({ object: o, source: `${cluster}:${o.kind}/${o.metadata.name}` }));
}

export function representativeWorkloads(model: PolicyModel): KubeObject[] {
  const dns = deployment({ namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, role: 'dns', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
  const kubeSystem = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } } as KubeObject;
  return [kubeSystem, dns, ...model.agents.map(agentObject), ...model.endpoints.map((e) => endpointObject(model, e))];
}
