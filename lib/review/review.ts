import type { ReviewConfig } from './config.js';
import { controlFindings } from './controls.js';
import { enforcementFindings } from './enforcement.js';
import { analyzeCluster, edgeDelta, edgesOf } from './edges.js';
import { objectChanges } from './objects.js';
import { outputDigest } from '../synth/digest.js';
import { evaluateProbes } from './probes.js';
import { reachFindings } from './reach.js';
import type { ClusterReview, Finding, Review, ReviewSide, Risk, SideCluster } from './types.js';

const RISK_ORDER: readonly Risk[] = ['none', 'low', 'medium', 'high'];

export function maxRisk(risks: readonly Risk[]): Risk {
  return risks.reduce<Risk>((acc, r) => (RISK_ORDER.indexOf(r) > RISK_ORDER.indexOf(acc) ? r : acc), 'none');
}

const EMPTY_MODEL_SIDE = (c: SideCluster): SideCluster => ({ ...c, objects: [], model: { ...c.model, agents: [], endpoints: [], externals: [], egressProxies: [], edges: [], registries: [], sandboxes: [], runtimeGuards: [], gpuTenancies: [] } });

function reviewCluster(before: SideCluster | undefined, after: SideCluster, config: ReviewConfig): ClusterReview {
  const base = before ?? EMPTY_MODEL_SIDE(after);
  const beforeAnalysis = analyzeCluster(base);
  const afterAnalysis = analyzeCluster(after);
  const beforeEdges = edgesOf(beforeAnalysis);
  const edges = edgeDelta(beforeEdges, edgesOf(afterAnalysis));
  const probes = evaluateProbes(after.name, config.probes, afterAnalysis, before === undefined ? undefined : beforeAnalysis);
  const probeFindings: Finding[] = probes.filter((p) => !p.ok).map((p) => ({ cluster: after.name, kind: 'probe-violated', risk: 'high', subject: p.probe, message: `probe "${p.probe}" expects ${p.expect} but the policies ${p.after}` }));
  return {
    cluster: after.name,
    edges,
    findings: [
      ...reachFindings(after.name, edges, beforeEdges),
      ...(before === undefined ? [] : controlFindings(before, after)),
      // From the objects themselves: what the head's code reports of its model is not trusted alone.
      ...(before === undefined ? [] : enforcementFindings(before.objects, after.objects).map((f) => ({ cluster: after.name, ...f }))),
      ...probeFindings,
    ],
    probes,
    objects: objectChanges(after.name, base.objects, after.objects),
    digest: outputDigest(after.objects),
  };
}

/**
 * The semantic review of a change: per cluster, connectivity delta, widening and weakening
 * findings, probe verdicts and the raw object diff; plus the overall risk and approval state.
 */
export function review(base: ReviewSide, head: ReviewSide, config: ReviewConfig, labels: readonly string[]): Review {
  const before = new Map(base.clusters.map((c) => [c.name, c]));
  const clusters = head.clusters.map((c) => reviewCluster(before.get(c.name), c, config));
  const findings = clusters.flatMap((c) => c.findings);
  const added = clusters.some((c) => c.edges.some((e) => e.change !== 'removed'));
  const risk = maxRisk([...findings.map((f) => f.risk), added ? 'low' : 'none']);
  const granted = config.approvalLabel !== undefined && labels.includes(config.approvalLabel);
  const weakening = findings.some((f) => f.risk === 'high' || f.risk === 'medium');
  return {
    base: base.label,
    head: head.label,
    clusters,
    rules: [],
    risk,
    needsApproval: weakening && config.approvalLabel !== undefined && !granted,
    approval: { required: config.approvalLabel, granted },
  };
}

/** A review with findings about its own rules added: they raise the risk and need the approval like any weakening. */
export function withRuleFindings(r: Review, rules: readonly Finding[]): Review {
  const weakening = rules.some((f) => f.risk === 'high' || f.risk === 'medium');
  return {
    ...r,
    rules: [...r.rules, ...rules],
    risk: maxRisk([r.risk, ...rules.map((f) => f.risk)]),
    needsApproval: r.needsApproval || (weakening && r.approval.required !== undefined && !r.approval.granted),
  };
}
