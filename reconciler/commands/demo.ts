import { streamProgress, type Progress } from '../../lib/core/progress.js';
import { formatId } from '../../lib/core/resource-id.js';
import { clientFor, type ClusterClient } from '../cluster/client.js';
import { loadKubeConfig } from '../cluster/connect.js';
import { clusterDir, controlPlaneStatus, startControlPlane, stopControlPlane } from '../controlplane/index.js';
import { reconcileOnce } from '../engine/reconcile-once.js';
import { Predictor } from '../observe/predict.js';
import { formatReports } from '../report/index.js';
import { desiredSets, type ClusterTarget } from '../source/desired.js';
import { resolveSource } from '../source/source.js';
import { EXIT } from './exit.js';

export interface DemoFlags { readonly keep?: boolean; readonly source: string }

async function cluster(progress: Progress): Promise<{ kubeconfig: string; started: boolean }> {
  const status = await controlPlaneStatus(clusterDir('local'));
  if (status.health === 'running' && status.state) {
    progress.step(`using the running local cluster at ${status.state.server}`);
    return { kubeconfig: status.state.kubeconfig, started: false };
  }
  if (status.health === 'degraded') await stopControlPlane(clusterDir('local'));
  return { kubeconfig: (await startControlPlane({ name: 'local', progress })).kubeconfig, started: true };
}

/** What an attacker or a hurried human does: each step names itself. */
async function tamper(client: ClusterClient, progress: Progress): Promise<void> {
  const egress = await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'agents', name: 'research-agent-egress' });
  if (egress) {
    const spec = egress['spec'] as { egress?: unknown[] };
    progress.step('tamper 1: "kubectl edit" widens research-agent-egress to the whole internet');
    await client.replace({ ...egress, spec: { ...spec, egress: [...(spec.egress ?? []), { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } }, { fieldManager: 'kubectl-edit' });
  }
  progress.step('tamper 2: an allow-all NetworkPolicy appears in the agents namespace');
  await client.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'debug-allow-all', namespace: 'agents' }, spec: { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] } }, { fieldManager: 'kubectl-client-side-apply' });
  progress.step('tamper 3: the binding that enforces the gVisor sandbox is deleted');
  await client.delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', name: 'palisade-sandbox-gvisor' });
  const ns = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'agents' });
  if (ns) {
    progress.step('tamper 4: the agents namespace loses its agent-namespace label (escaping the guardrail policy)');
    const labels = Object.fromEntries(Object.entries(ns.metadata.labels ?? {}).filter(([k]) => k !== 'palisade.dev/agent-namespace'));
    await client.replace({ ...ns, metadata: { ...ns.metadata, labels } }, { fieldManager: 'kubectl-label' });
  }
}

async function pass(client: ClusterClient, target: ClusterTarget, write: boolean): Promise<string> {
  const result = await reconcileOnce(client, new Predictor(client), target, { write });
  return formatReports([result.report], 'text', process.stdout.isTTY === true && !process.env['NO_COLOR']);
}

/** Apply, tamper, report, correct, show the final state. */
async function story(client: ClusterClient, target: ClusterTarget, progress: Progress): Promise<void> {
  process.stdout.write(await pass(client, target, true));
  await tamper(client, progress);
  progress.step('drift report (palisade drift):');
  process.stdout.write(await pass(client, target, false));
  progress.step('correcting (palisade reconcile --once):');
  process.stdout.write(await pass(client, target, true));
  progress.step('final state:');
  process.stdout.write(await pass(client, target, false));
  const id = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'agents', name: 'debug-allow-all' };
  progress.step(`${formatId(id)} ${(await client.get(id)) ? 'still present' : 'removed'}`);
}

/** `palisade demo`: the README's first command. Apply, tamper, report, correct. */
export async function runDemo(flags: DemoFlags): Promise<number> {
  const progress = streamProgress();
  const [target] = await desiredSets(await resolveSource({ kind: 'local', dir: flags.source }), ['local']);
  if (!target) throw new Error('clusters/local is missing');
  progress.step(`synthesized clusters/local: ${target.desired.objects.size} objects`);
  const { kubeconfig, started } = await cluster(progress);
  const client = clientFor(loadKubeConfig({ kubeconfig }));
  progress.step('reconcile: first apply, staged (namespaces → classes → policies → admission → rest)');
  await story(client, target, progress);
  if (started && !flags.keep) {
    await stopControlPlane(clusterDir('local'));
    progress.step('local cluster stopped (use --keep to explore it with kubectl)');
  } else {
    process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
  }
  return EXIT.ok;
}

