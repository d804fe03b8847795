import type { KubeObject } from '../core/resource-id.js';
import type { AgentModel, PolicyModel } from '../model/model.js';
import type { Finding, SideCluster } from './types.js';

type Emit = (f: Omit<Finding, 'cluster'>) => void;

const byName = <T extends { name: string }>(list: readonly T[]): Map<string, T> => new Map(list.map((x) => [x.name, x]));
const added = (before: readonly string[], after: readonly string[]): string[] => after.filter((x) => !before.includes(x));

function registries(b: PolicyModel, a: PolicyModel, emit: Emit): void {
  const after = byName(a.registries);
  for (const r of b.registries) {
    const now = after.get(r.name);
    if (now === undefined) {
      emit({ kind: 'registry-widened', risk: 'high', subject: r.source.path, message: `registry allow-list ${r.name} removed (its agents may pull from any registry)` });
      continue;
    }
    const widened = now.prefixes.filter((p) => !r.prefixes.some((old) => p.startsWith(old)));
    if (widened.length > 0) emit({ kind: 'registry-widened', risk: 'high', subject: now.source.path, message: `registry allow-list ${r.name} now also admits ${widened.join(', ')}` });
    if (now.signatures.length < r.signatures.length) emit({ kind: 'signature-dropped', risk: 'high', subject: now.source.path, message: `registry ${r.name}: ${r.signatures.length - now.signatures.length} image-signature rule(s) dropped` });
  }
}

type AgentCheck = (before: AgentModel, now: AgentModel) => Omit<Finding, 'cluster' | 'subject'> | undefined;

/** One check per per-agent control; each returns the weakening it finds, if any. */
const AGENT_CHECKS: readonly AgentCheck[] = [
  (b, a) => (b.registry !== undefined && a.registry === undefined ? { kind: 'registry-widened', risk: 'high', message: `agent ${a.name} no longer has a registry allow-list` } : undefined),
  (b, a) => (b.sandbox !== undefined && a.sandbox === undefined ? { kind: 'sandbox-removed', risk: 'high', message: `agent ${a.name} no longer must run in sandbox ${b.sandbox}` } : undefined),
  (b, a) => (b.runtimeGuard !== undefined && a.runtimeGuard === undefined ? { kind: 'runtime-relaxed', risk: 'high', message: `agent ${a.name} lost runtime guard ${b.runtimeGuard}` } : undefined),
  (b, a) => (b.gpu !== undefined && a.gpu !== b.gpu ? { kind: 'gpu-loosened', risk: 'medium', message: `agent ${a.name} GPU tenancy changed from ${b.gpu} to ${a.gpu ?? 'none'}` } : undefined),
  (b, a) => (!b.allowCloudMetadata && a.allowCloudMetadata ? { kind: 'world-reach', risk: 'high', message: `agent ${a.name} may now reach the cloud metadata service` } : undefined),
  (b, a) => {
    const more = added(b.spawns, a.spawns);
    return more.length > 0 ? { kind: 'identity-weakened', risk: 'high', message: `agent ${a.name} may now start pods as ${more.join(', ')} (and use their access)` } : undefined;
  },
  (b, a) => (b.serviceAccount !== a.serviceAccount ? { kind: 'identity-weakened', risk: 'medium', message: `agent ${a.name} identity changed: ServiceAccount ${b.namespace}/${b.serviceAccount} → ${a.namespace}/${a.serviceAccount}` } : undefined),
  (b, a) => {
    const dropped = Object.keys(b.podLabels).filter((k) => !(k in a.podLabels));
    return dropped.length > 0 ? { kind: 'identity-weakened', risk: 'medium', message: `agent ${a.name} selector no longer requires ${dropped.join(', ')}: it selects more pods` } : undefined;
  },
  (b, a) => (!b.allowKubeApi && a.allowKubeApi ? { kind: 'world-reach', risk: 'medium', message: `agent ${a.name} may now reach the Kubernetes API server` } : undefined),
];

function agentControls(before: AgentModel, now: AgentModel, emit: Emit): void {
  for (const check of AGENT_CHECKS) {
    const found = check(before, now);
    if (found !== undefined) emit({ ...found, subject: now.source.path });
  }
}

function runtime(b: PolicyModel, a: PolicyModel, emit: Emit): void {
  const after = byName(a.runtimeGuards);
  for (const g of b.runtimeGuards) {
    const now = after.get(g.name);
    if (now === undefined) continue;
    const execs = added(g.allowedExecutables, now.allowedExecutables);
    const paths = added(g.writablePaths, now.writablePaths);
    if (execs.length > 0) emit({ kind: 'runtime-relaxed', risk: 'medium', subject: now.source.path, message: `runtime guard ${g.name} now allows executing ${execs.join(', ')}` });
    if (paths.length > 0) emit({ kind: 'runtime-relaxed', risk: 'medium', subject: now.source.path, message: `runtime guard ${g.name} now allows writing ${paths.join(', ')}` });
  }
}

function gpu(b: PolicyModel, a: PolicyModel, emit: Emit): void {
  const after = byName(a.gpuTenancies);
  for (const t of b.gpuTenancies) {
    const now = after.get(t.name);
    if (now === undefined) continue;
    if (t.mode === 'mig' && now.mode === 'whole') emit({ kind: 'gpu-loosened', risk: 'medium', subject: now.source.path, message: `GPU tenancy ${t.name} changed from MIG slices to whole GPUs` });
    const raised = Object.entries(now.quota).filter(([k, v]) => v > (t.quota[k] ?? 0)).map(([k, v]) => `${k} ${t.quota[k] ?? 0} → ${v}`);
    if (raised.length > 0) emit({ kind: 'gpu-loosened', risk: 'low', subject: now.source.path, message: `GPU tenancy ${t.name} quota raised: ${raised.join(', ')}` });
  }
}

/** validationActions of admission bindings/policies by name: Deny → Warn/Audit is a weakening. */
function admissionActions(objects: readonly KubeObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of objects) {
    const spec = (o as { spec?: { validationActions?: string[] } }).spec;
    if (spec?.validationActions !== undefined) out.set(`${o.kind}/${o.metadata.name}`, spec.validationActions);
  }
  return out;
}

function admission(b: readonly KubeObject[], a: readonly KubeObject[], emit: Emit): void {
  const after = admissionActions(a);
  for (const [id, actions] of admissionActions(b)) {
    const now = after.get(id);
    if (now === undefined) {
      if (actions.includes('Deny')) emit({ kind: 'admission-weakened', risk: 'high', subject: id, message: `${id} (Deny) removed` });
    } else if (actions.includes('Deny') && !now.includes('Deny')) emit({ kind: 'admission-weakened', risk: 'high', subject: id, message: `${id} no longer denies: ${actions.join('+')} → ${now.join('+')}` });
  }
}

function quarantine(b: SideCluster, a: SideCluster, emit: Emit): void {
  const q = (c: SideCluster): string[] => c.objects.filter((o) => o.metadata.annotations?.['palisade.dev/rule'] === 'quarantine').map((o) => `${o.kind}/${o.metadata.name}`);
  const lost = q(b).filter((id) => !q(a).includes(id));
  if (lost.length > 0) emit({ kind: 'quarantine-lifted', risk: 'high', subject: lost.join(', '), message: `quarantine enforcement removed: ${lost.join(', ')}` });
  if (b.model.quarantine.label !== a.model.quarantine.label) emit({ kind: 'quarantine-lifted', risk: 'high', subject: a.model.quarantine.source.path, message: `quarantine label changed from ${b.model.quarantine.label} to ${a.model.quarantine.label}: pods labelled with the old key are released` });
}

/** Weakenings of controls other than reach, between two syntheses of one cluster. */
export function controlFindings(before: SideCluster, after: SideCluster): Finding[] {
  const out: Finding[] = [];
  const emit: Emit = (f) => out.push({ cluster: after.name, ...f });
  registries(before.model, after.model, emit);
  const agents = byName(after.model.agents);
  for (const a of before.model.agents) {
    const now = agents.get(a.name);
    if (now !== undefined) agentControls(a, now, emit);
  }
  runtime(before.model, after.model, emit);
  gpu(before.model, after.model, emit);
  admission(before.objects, after.objects, emit);
  quarantine(before, after, emit);
  return out;
}
