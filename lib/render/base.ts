import { k8s } from 'cdk8s-plus-33';
import { LABELS } from '../core/labels.js';
import { meta, objectId, type RenderContext } from './context.js';
import { managedNamespaces } from './topology.js';

/** Namespaces with their zone labels; Pod Security `baseline` enforced where agents run. */
function namespaces(ctx: RenderContext): void {
  for (const ns of managedNamespaces(ctx.model)) {
    const m = meta(ctx, ns.name, undefined, { sources: ns.sources, rule: 'namespace' });
    m.labels[LABELS.zone] = ns.zone;
    if (ns.hasAgents) {
      m.labels[LABELS.agentNamespace] = 'true';
      m.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    }
    new k8s.KubeNamespace(ctx.chart, objectId('ns', ns.name), { metadata: m });
  }
}

/**
 * Each agent's ServiceAccount, its identity. No API token is mounted unless the agent waives the
 * API-server guardrail (admission binds the ServiceAccount to the agent's labels).
 */
function serviceAccounts(ctx: RenderContext): void {
  for (const a of ctx.model.agents) {
    new k8s.KubeServiceAccount(ctx.chart, objectId('sa', a.serviceAccount, a.namespace), {
      metadata: meta(ctx, a.serviceAccount, a.namespace, { sources: [a.source.path], rule: `identity:${a.name}` }),
      automountServiceAccountToken: a.allowKubeApi,
    });
  }
}

/** One RuntimeClass per sandbox requirement used by an agent. */
function runtimeClasses(ctx: RenderContext): void {
  for (const s of ctx.model.sandboxes) {
    new k8s.KubeRuntimeClass(ctx.chart, objectId('rc', s.runtimeClassName), {
      metadata: meta(ctx, s.runtimeClassName, undefined, { sources: [s.source.path], rule: `sandbox:${s.name}` }),
      handler: s.handler,
      overhead: { podFixed: Object.fromEntries(Object.entries(s.overhead).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) },
      scheduling: { nodeSelector: { ...s.nodeSelector }, tolerations: s.tolerations.map((t) => ({ ...t })) },
    });
  }
}

/** A ResourceQuota per (namespace, GPU tenancy): extended resources take only `requests.`. */
function gpuQuotas(ctx: RenderContext): void {
  const seen = new Set<string>();
  for (const agent of ctx.model.agents) {
    const gpu = ctx.model.gpuTenancies.find((g) => g.name === agent.gpu);
    if (!gpu || seen.has(agent.namespace)) continue;
    seen.add(agent.namespace);
    const hard = Object.fromEntries(Object.entries(gpu.quota).sort().map(([r, n]) => [`requests.${r}`, k8s.Quantity.fromString(String(n))]));
    new k8s.KubeResourceQuota(ctx.chart, objectId('quota', 'palisade-gpu', agent.namespace), {
      metadata: meta(ctx, 'palisade-gpu', agent.namespace, { sources: [gpu.source.path, agent.source.path], rule: `gpu:${gpu.name}` }),
      spec: { hard },
    });
  }
}

/** Objects every cluster gets whatever its backends. */
export function renderBase(ctx: RenderContext): void {
  namespaces(ctx);
  serviceAccounts(ctx);
  runtimeClasses(ctx);
  gpuQuotas(ctx);
}
