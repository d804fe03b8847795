/**
 * The template organisation "acme": agents across three lifecycle zones. Edit this folder to
 * describe your own agents; `palisade synth` renders it for every cluster in clusters/.
 *
 *  preprocessing: ingest-agent ──▶ training-data (finetuning zone, allowed flow), *.wikipedia.org
 *  finetuning:    finetune-job (MIG slices) ──▶ training-data, huggingface.co
 *  inference:     research-agent ──▶ inference-gateway (L7), vector-db, mcp-tools, web
 *                 coding-agent (gVisor, signed images) ──▶ mcp-tools, npm, GitHub
 *                 inference-gateway ──▶ model-server
 *
 * Policies receive the cluster they are synthesized for, so a choice a backend cannot enforce
 * (DNS names on plain NetworkPolicy, L7 rules, runtime rules) is made here, in the open.
 */
import type { Construct } from 'constructs';
import { Agent, capabilitiesOf, Http, Port, type Capabilities, type ClusterSpec, type EgressProxy, type ExternalEndpoint } from '../lib/index.js';
import { defineControls, type Controls } from './controls.js';
import { defineEgressProxy, defineServices, defineWeb, defineZones, type Services, type Web, type Zones } from './destinations.js';

interface Org { readonly can: Capabilities; readonly c: Controls; readonly z: Zones; readonly s: Services; readonly w: Web; readonly proxy?: EgressProxy }

/** Web access: by DNS name where the dataplane can enforce it, else through the egress proxy (each agent only its own hosts). */
function reach(org: Org, agent: Agent, ...hosts: ExternalEndpoint[]): void {
  for (const h of hosts) agent.allowTo(h, org.proxy ? { via: org.proxy } : {});
}

function inferenceAgents(scope: Construct, org: Org): void {
  const { c, z, s, w, can } = org;
  new Agent(scope, 'inference-gateway', { namespace: 'inference', zone: z.inference, podLabels: { app: 'inference-gateway' }, registry: c.registry })
    .allowTo(s.modelServer);
  const research = new Agent(scope, 'research-agent', {
    namespace: 'agents', zone: z.inference, podLabels: { app: 'research-agent' }, registry: c.registry,
    ...(can.runtimeEnforcement ? { runtimeGuard: c.researchGuard } : {}),
  });
  research.allowTo(s.gatewayApi, can.l7Egress ? { http: [Http.post('/v1/chat/completions'), Http.get('/v1/models(/.*)?')] } : {});
  research.allowTo(s.vectorDb, { ports: [Port.tcp(6333)] }).allowTo(s.mcpTools);
  reach(org, research, w.openai, w.wikipedia, w.arxiv);
  const coding = new Agent(scope, 'coding-agent', { namespace: 'agents', zone: z.inference, podLabels: { app: 'coding-agent' }, registry: c.signedRegistry, sandbox: c.gvisor });
  coding.allowTo(s.mcpTools);
  reach(org, coding, w.npm, w.github, w.githubContent);
}

function dataAgents(scope: Construct, org: Org): void {
  const { c, z, s, w, can } = org;
  const ingest = new Agent(scope, 'ingest-agent', { namespace: 'preprocessing', zone: z.preprocessing, podLabels: { app: 'ingest-agent' }, registry: c.registry });
  ingest.allowTo(s.trainingData);
  if (can.fqdnEgress) ingest.allowTo(w.wikipedia);
  const finetune = new Agent(scope, 'finetune-job', { namespace: 'finetuning', zone: z.finetuning, podLabels: { 'job-name': 'finetune' }, registry: c.registry, gpu: c.migSlices });
  finetune.allowTo(s.trainingData);
  if (can.fqdnEgress) finetune.allowTo(w.huggingface);
}

/** Entry point used by `palisade synth`, `cdk8s synth` and the reconciler. */
export function definePolicies(scope: Construct, cluster: ClusterSpec): void {
  const can = capabilitiesOf(cluster);
  const z = defineZones(scope);
  const org: Org = {
    can, c: defineControls(scope, { signatures: can.imageSignatures }), z, s: defineServices(scope, z), w: defineWeb(scope),
    ...(can.fqdnEgress ? {} : { proxy: defineEgressProxy(scope, z) }),
  };
  inferenceAgents(scope, org);
  dataAgents(scope, org);
}
