import type { AgentModel, ExternalModel } from '../model/model.js';
import { NON_PUBLIC_CIDRS } from '../core/networks.js';
import { cidrContains, CLOUD_METADATA_CIDRS } from './selectors.js';
import type { RenderContext } from './context.js';

/**
 * CIDR fallbacks (backends without DNS-name egress) keep the guardrails: cloud metadata and the
 * kube-apiserver stay blocked inside a fallback range unless the agent waives them. A range that
 * contains one is a synth error unless the ExternalEndpoint acknowledges it (`allowWideFallback`),
 * because a fallback as wide as 10.0.0.0/8 is no longer "the addresses of one host".
 */

/** The exceptions one fallback range needs for one agent, and what they are. */
function exceptionsFor(ctx: RenderContext, agent: AgentModel, cidr: string): Array<{ cidr: string; what: string }> {
  const guarded = [
    ...(agent.allowCloudMetadata ? [] : CLOUD_METADATA_CIDRS.map((c) => ({ cidr: c, what: 'cloud metadata' }))),
    ...(agent.allowKubeApi ? [] : ctx.cluster.kubeApiServerCidrs.map((c) => ({ cidr: c, what: 'the kube-apiserver' }))),
  ];
  return guarded.filter((g) => g.cidr !== cidr && cidrContains(cidr, g.cidr));
}

/** `cloud metadata (169.254.169.254/32, 169.254.170.2/32) and the kube-apiserver (10.0.0.1/32)`. */
function describeGuarded(ex: ReadonlyArray<{ cidr: string; what: string }>): string {
  const by = new Map<string, string[]>();
  for (const e of ex) by.set(e.what, [...(by.get(e.what) ?? []), e.cidr]);
  return [...by].map(([what, cidrs]) => `${what} (${cidrs.join(', ')})`).join(' and ');
}

/** Fallback ranges with their exceptions; reports a synth error for each range that needs one and is not acknowledged. */
export function fallbackRanges(ctx: RenderContext, agent: AgentModel, x: ExternalModel, edgePath: string): Array<{ cidr: string; except: string[] }> {
  return (x.cidrFallback ?? []).map((cidr) => {
    const ex = exceptionsFor(ctx, agent, cidr);
    if (ex.length > 0 && !x.allowWideFallback) {
      ctx.issues.push({
        code: 'WideCidrFallback', path: edgePath,
        message: `cidrFallback ${cidr} of ExternalEndpoint "${x.name}" contains ${describeGuarded(ex)}, which agent "${agent.name}" may not reach (cluster "${ctx.cluster.name}")`,
        hint: `list the host's own addresses, or set allowWideFallback: true on ExternalEndpoint "${x.name}" to accept the range (the guardrail addresses stay excluded)`,
      });
    }
    // A range wider than a private block (0.0.0.0/0, a /1 …) is not "the addresses of a host": the
    // private, CGNAT, loopback and link-local blocks inside it are cut out, because Calico matches
    // pod, Service and node IPs with CIDRs (A4). A range inside a private block is meant as written.
    const always = [...new Set([...(x.fallbackExcept ?? []), ...NON_PUBLIC_CIDRS])].filter((c) => c !== cidr && cidrContains(cidr, c)).sort();
    const guarded = ex.map((e) => e.cidr).filter((c) => !always.some((a) => cidrContains(a, c)));
    return { cidr, except: [...always, ...guarded] };
  });
}
