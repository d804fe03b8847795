import * as tp from '../../imports/tetragon-cilium.io.js';
import type { AgentModel, RuntimeGuardModel } from '../../model/model.js';
import { meta, objectId, type RenderContext } from '../context.js';
import { sortedLabels } from '../topology.js';

/**
 * Tetragon TracingPolicyNamespaced on the BPF-LSM `bprm_check_security` hook: exec fails with
 * EPERM for binaries outside the allow-list and for anything under a writable path. Host eBPF
 * cannot see inside gVisor or Kata sandboxes (cilium/tetragon#1055): an agent with both is an
 * error unless the RuntimeGuard acknowledges the blind spot.
 */

const Op = tp.TracingPolicyNamespacedSpecLsmhooksSelectorsMatchArgsOperator;

function hook(operator: tp.TracingPolicyNamespacedSpecLsmhooksSelectorsMatchArgsOperator, values: string[]): tp.TracingPolicyNamespacedSpecLsmhooks {
  return {
    hook: 'bprm_check_security',
    args: [{ index: 0, type: tp.TracingPolicyNamespacedSpecLsmhooksArgsType.LINUX_UNDERSCORE_BINPRM }],
    selectors: [{
      matchArgs: [{ index: 0, operator, values }],
      matchActions: [{ action: tp.TracingPolicyNamespacedSpecLsmhooksSelectorsMatchActionsAction.OVERRIDE, argError: -1 }],
    }],
  };
}

function blindSpot(ctx: RenderContext, agent: AgentModel, guard: RuntimeGuardModel): boolean {
  if (!agent.sandbox || guard.acknowledgeSandboxBlindSpot) return false;
  ctx.issues.push({
    code: 'SandboxBlindSpot', path: agent.source.path,
    message: `agent "${agent.name}" asks for sandbox "${agent.sandbox}" and runtime guard "${guard.name}", but Tetragon (host eBPF) cannot see inside gVisor or Kata sandboxes, so the guard would not be enforced (cluster "${ctx.cluster.name}")`,
    hint: 'drop one of the two for this agent, enforce inside the sandbox (gVisor runtime monitoring, an agent in the Kata guest), or set acknowledgeSandboxBlindSpot: true on the RuntimeGuard to emit it for non-sandboxed pods only',
  });
  return true;
}

export function renderTetragon(ctx: RenderContext): void {
  for (const agent of ctx.model.agents) {
    const guard = ctx.model.runtimeGuards.find((g) => g.name === agent.runtimeGuard);
    if (!guard || blindSpot(ctx, agent, guard)) continue;
    const name = `${agent.name}-runtime`;
    new tp.TracingPolicyNamespaced(ctx.chart, objectId('tpn', name, agent.namespace), {
      metadata: meta(ctx, name, agent.namespace, { sources: [guard.source.path, agent.source.path], rule: `runtime:${guard.name}` }),
      spec: {
        podSelector: { matchLabels: sortedLabels(agent.podLabels) },
        lsmhooks: [
          hook(Op.NOT_EQUAL, [...guard.allowedExecutables]),
          hook(Op.PREFIX, guard.writablePaths.map((p) => (p.endsWith('/') ? p : `${p}/`))),
        ],
      },
    });
  }
}
