import { k8s } from 'cdk8s-plus-33';
import { ANNOTATIONS } from '../../core/labels.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { sortedLabels } from '../topology.js';
import { squidConfig } from './squid.js';

/** The configuration of each egress proxy (its network policy comes from the lowered model). */
export function renderEgressProxies(ctx: RenderContext): void {
  for (const p of ctx.model.egressProxies) {
    const name = `${p.name}-squid`;
    const m = meta(ctx, name, p.namespace, { sources: [p.source.path, ...p.listeners.map((l) => `${p.source.path}/listener/${l.agent}`)], rule: `egress-proxy:${p.name}` });
    new k8s.KubeConfigMap(ctx.chart, objectId('cm', name, p.namespace), {
      metadata: { ...m, annotations: { ...m.annotations, [ANNOTATIONS.proxyPods]: JSON.stringify(sortedLabels(p.podLabels)) } },
      data: { 'squid.conf': squidConfig(p, ctx.cluster.name) },
    });
  }
}
