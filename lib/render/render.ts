import { App, Chart } from 'cdk8s';
import type { ClusterSpec } from '../cluster/cluster-spec.js';
import { assertNever } from '../core/assert.js';
import type { KubeObject } from '../core/resource-id.js';
import type { SynthIssue } from '../model/issues.js';
import type { PolicyModel } from '../model/model.js';
import { renderVap } from './admission/vap.js';
import { renderKyverno } from './admission/kyverno.js';
import { renderProtection } from './admission/protect.js';
import { renderBase } from './base.js';
import { renderCalico } from './calico/calico.js';
import { renderCilium } from './cilium/cilium.js';
import { renderClusterNetworkPolicy } from './cluster-network-policy.js';
import type { RenderContext } from './context.js';
import { renderKubernetesNetwork } from './kubernetes/network-policy.js';
import { renderEgressProxies } from './egress-proxy/egress-proxy.js';
import { renderTetragon } from './tetragon/tetragon.js';

export interface RenderResult {
  readonly objects: readonly KubeObject[];
  readonly issues: readonly SynthIssue[];
}

function renderNetwork(ctx: RenderContext): void {
  const { network } = ctx.cluster;
  switch (network) {
    case 'kubernetes': return renderKubernetesNetwork(ctx);
    case 'cilium': return renderCilium(ctx);
    case 'calico': return renderCalico(ctx);
    default: return assertNever(network, 'network backend');
  }
}

function renderAdmission(ctx: RenderContext): void {
  const { admission } = ctx.cluster;
  switch (admission) {
    case 'vap': return renderVap(ctx);
    case 'kyverno': return renderKyverno(ctx);
    default: return assertNever(admission, 'admission backend');
  }
}

function renderRuntime(ctx: RenderContext): void {
  const { runtime } = ctx.cluster;
  switch (runtime) {
    case 'tetragon': return renderTetragon(ctx);
    case 'none': {
      for (const g of ctx.model.runtimeGuards.filter((x) => ctx.model.agents.some((a) => a.runtimeGuard === x.name))) {
        ctx.issues.push({ code: 'UnsupportedByBackend', path: g.source.path, message: `runtime guard "${g.name}" needs a runtime backend, but cluster "${ctx.cluster.name}" has runtime: none`, hint: 'set runtime: tetragon in the cluster.yaml, or do not attach the RuntimeGuard to agents deployed here' });
      }
      return;
    }
    default: return assertNever(runtime, 'runtime backend');
  }
}

/** Renders a model for one cluster: pure, deterministic, every unsupported feature reported. */
export function renderCluster(model: PolicyModel, cluster: ClusterSpec): RenderResult {
  const chart = new Chart(new App(), cluster.name, { disableResourceNameHashes: true });
  const ctx: RenderContext = { model, cluster, chart, issues: [] };
  renderBase(ctx);
  renderNetwork(ctx);
  renderEgressProxies(ctx);
  if (cluster.clusterNetworkPolicy) renderClusterNetworkPolicy(ctx);
  renderAdmission(ctx);
  renderRuntime(ctx);
  renderProtection(ctx);
  return { objects: chart.toJson() as KubeObject[], issues: ctx.issues };
}
