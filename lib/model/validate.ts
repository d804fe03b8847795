import type { EdgeModel, PolicyModel, PortSpec } from './model.js';
import { identityIssues } from './identity.js';
import type { SynthIssue } from './issues.js';

function duplicates(model: PolicyModel): SynthIssue[] {
  const issues: SynthIssue[] = [];
  const groups = { agent: model.agents, endpoint: model.endpoints, 'external endpoint': model.externals, zone: model.zones, 'registry allow-list': model.registries, sandbox: model.sandboxes, 'runtime guard': model.runtimeGuards, 'GPU tenancy': model.gpuTenancies };
  for (const [what, items] of Object.entries(groups)) {
    const seen = new Map<string, string>();
    for (const item of items) {
      const first = seen.get(item.name);
      if (first !== undefined) issues.push({ code: 'DuplicateName', path: item.source.path, message: `${what} name "${item.name}" is already used by ${first}`, hint: 'give one of them a different name' });
      seen.set(item.name, item.source.path);
    }
  }
  return issues;
}

/** Every namespace belongs to exactly one zone. */
function namespaceZones(model: PolicyModel): SynthIssue[] {
  const zoneOf = new Map<string, { zone: string; path: string }>();
  const issues: SynthIssue[] = [];
  for (const w of [...model.agents, ...model.endpoints]) {
    const prior = zoneOf.get(w.namespace);
    if (prior && prior.zone !== w.zone) {
      issues.push({ code: 'ZoneConflict', path: w.source.path, message: `namespace "${w.namespace}" is in zone "${prior.zone}" (${prior.path}) but this declares zone "${w.zone}"`, hint: 'zones are namespace-wide: move the workload to a namespace of its zone' });
    }
    if (!prior) zoneOf.set(w.namespace, { zone: w.zone, path: w.source.path });
  }
  return issues;
}

const covers = (served: readonly PortSpec[], p: PortSpec): boolean =>
  served.some((s) => s.protocol === p.protocol && s.port <= p.port && (p.endPort ?? p.port) <= (s.endPort ?? s.port));

type Peer = PolicyModel['agents'][number] | PolicyModel['endpoints'][number] | PolicyModel['externals'][number];

function peerOf(model: PolicyModel, e: EdgeModel): Peer | undefined {
  switch (e.to.kind) {
    case 'agent': return model.agents.find((a) => a.name === e.to.name);
    case 'endpoint': return model.endpoints.find((x) => x.name === e.to.name);
    case 'external': return model.externals.find((x) => x.name === e.to.name);
  }
}

function zoneIssue(model: PolicyModel, e: EdgeModel, from: PolicyModel['agents'][number], target: Peer): SynthIssue[] {
  if (!('zone' in target) || target.zone === from.zone) return [];
  if (model.zones.find((z) => z.name === from.zone)?.flowsTo.includes(target.zone)) return [];
  return [{ code: 'CrossZone', path: e.source.path, message: `agent "${from.name}" (zone ${from.zone}) may not reach ${e.to.kind} "${target.name}" in zone ${target.zone}: traffic between zones is denied`, hint: `declare zone ${from.zone}.allowFlowTo(zone ${target.zone}) if this flow is intended` }];
}

function portIssues(e: EdgeModel, target: Peer): SynthIssue[] {
  if (e.to.kind === 'agent' && e.ports.length === 0) return [{ code: 'PortsRequired', path: e.source.path, message: `agent-to-agent edge to "${target.name}" needs explicit ports`, hint: 'pass { ports: [Port.tcp(8080)] }' }];
  if (!('ports' in target)) return [];
  return e.ports.filter((x) => !covers(target.ports, x)).map((p) => ({
    code: 'PortNotServed' as const, path: e.source.path, message: `${e.to.kind} "${target.name}" does not serve ${p.protocol} ${p.port}`,
    hint: `use one of its ports: ${target.ports.map((s) => `${s.protocol} ${s.port}`).join(', ')}`,
  }));
}

function edgeIssues(model: PolicyModel, e: EdgeModel): SynthIssue[] {
  const from = model.agents.find((a) => a.name === e.from);
  const target = peerOf(model, e);
  if (!from || !target) return [{ code: 'UnknownReference', path: e.source.path, message: `${e.to.kind} "${e.to.name}" is not declared in this policy set` }];
  return [...zoneIssue(model, e, from, target), ...portIssues(e, target)];
}

function references(model: PolicyModel): SynthIssue[] {
  const has = (list: ReadonlyArray<{ name: string }>, n: string | undefined): boolean => n === undefined || list.some((x) => x.name === n);
  return model.agents.flatMap((a) => [
    ...(model.zones.some((z) => z.name === a.zone) ? [] : [{ code: 'UnknownReference' as const, path: a.source.path, message: `zone "${a.zone}" is not declared in this policy set` }]),
    ...a.spawns.filter((n) => !model.agents.some((x) => x.name === n)).map((n) => ({ code: 'UnknownReference' as const, path: a.source.path, message: `spawns agent "${n}", which is not declared in this policy set` })),
    ...(has(model.registries, a.registry) && has(model.sandboxes, a.sandbox) && has(model.runtimeGuards, a.runtimeGuard) && has(model.gpuTenancies, a.gpu)
      ? [] : [{ code: 'UnknownReference' as const, path: a.source.path, message: 'refers to a registry, sandbox, runtime guard or GPU tenancy outside this policy set' }]),
  ]);
}

/** Cross-construct checks of a model, independent of any backend. */
export function validateModel(model: PolicyModel): SynthIssue[] {
  return [...duplicates(model), ...namespaceZones(model), ...references(model), ...identityIssues(model), ...model.edges.flatMap((e) => edgeIssues(model, e))];
}
