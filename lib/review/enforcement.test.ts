/**
 * Control findings from rendered objects (attacker (c): a pull request whose code reports the base's
 * model while its objects are weaker). Each head here is "forged": the base's model with the
 * weakened objects. Every weakening must still be found, on every backend that renders the control,
 * and the reverse (tightening) change must not need approval.
 */
import { describe, expect, it } from 'vitest';
import { KEY, smallOrg, type SmallOrgOptions } from '../../test/fixtures/small-org.js';
import { DEFAULT_PROTECT, type ClusterSpec } from '../cluster/cluster-spec.js';
import type { KubeObject } from '../core/resource-id.js';
import { Agent, type PolicyDefinition, type RegistryAllowList, type Zone } from '../index.js';
import { synthesize } from '../synth/synthesize.js';
import { testCluster } from '../testing/index.js';
import { celStrings } from './enforcement.js';
import { review, type Finding } from './index.js';

const VAP = testCluster({ name: 'vap', network: 'kubernetes', admission: 'vap', protect: DEFAULT_PROTECT });
const KYVERNO = testCluster({ name: 'kyv', network: 'kubernetes', admission: 'kyverno', protect: DEFAULT_PROTECT });
const TETRAGON = testCluster({ name: 'cil', network: 'cilium', runtime: 'tetragon', protect: DEFAULT_PROTECT });

type Edit = (objects: KubeObject[]) => KubeObject[];
const same: Edit = (o) => o;

/** Findings of a review whose head carries `after`'s objects (edited) but `before`'s model; `head.cluster` synthesizes the head. */
function forged(before: PolicyDefinition, after: PolicyDefinition, cluster: ClusterSpec, head: { readonly edit?: Edit; readonly cluster?: ClusterSpec } = {}): readonly Finding[] {
  const b = synthesize(before, cluster);
  const a = synthesize(after, head.cluster ?? cluster);
  const side = (label: string, objects: readonly KubeObject[]): Parameters<typeof review>[0] => ({ label, clusters: [{ name: cluster.name, network: cluster.network, model: b.model, objects }] });
  const edited = (head.edit ?? same)(structuredClone<KubeObject[]>([...a.objects]));
  return review(side('base', b.objects), side('head', edited), { probes: [] }, []).clusters[0]!.findings;
}

/** `risk kind` of every finding that needs approval. */
const needsApproval = (fs: readonly Finding[]): string[] => fs.filter((f) => f.risk === 'high' || f.risk === 'medium').map((f) => `${f.risk} ${f.kind}`);

const org = (o: SmallOrgOptions): PolicyDefinition => smallOrg(o);

/** Edits the first object of `kind` (and name, when given) in place. */
const editOne = (kind: string, fn: (o: Record<string, unknown>) => void, name?: string): Edit => (objects) => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  expect(o, `${kind} ${name ?? ''}`).toBeDefined();
  fn(o as unknown as Record<string, unknown>);
  return objects;
};

describe.each([VAP, KYVERNO])('control findings from objects ($admission)', (cluster) => {
  it('finds a registry allow-list switched to a wider one, and not the narrowing back', () => {
    const wide = forged(org({ registryPrefixes: ['ghcr.io/acme/'] }), org({ registryPrefixes: ['ghcr.io/'] }), cluster);
    expect(wide.filter((f) => f.kind === 'registry-widened').map((f) => `${f.risk} ${f.message}`)).toEqual([expect.stringMatching(/^high .*palisade-registry-acme now admits images from ghcr\.io\/$/)]);
    expect(needsApproval(forged(org({ registryPrefixes: ['ghcr.io/'] }), org({ registryPrefixes: ['ghcr.io/acme/'] }), cluster))).toEqual([]);
  });

  it('finds a rule that now fails open', () => {
    const kind = cluster.admission === 'vap' ? 'ValidatingAdmissionPolicy' : 'ValidatingPolicy';
    const found = forged(org({}), org({}), cluster, { edit: editOne(kind, (o) => { (o['spec'] as Record<string, unknown>)['failurePolicy'] = 'Ignore'; }, 'palisade-registry-acme') });
    expect(needsApproval(found)).toContain('high admission-weakened');
  });

  it('finds a trusted group added to the protect policy (a cluster.yaml edit), and not one removed', () => {
    const wider = testCluster({ ...cluster, protect: { ...DEFAULT_PROTECT, groups: ['system:masters', 'contractors'] } });
    const found = forged(org({}), org({}), cluster, { cluster: wider });
    expect(found.filter((f) => f.kind === 'trust-widened').map((f) => `${f.risk} ${f.message}`)).toEqual([expect.stringMatching(/^high ValidatingAdmissionPolicy\/palisade-protect-.* now trusts contractors/)]);
    expect(needsApproval(forged(org({}), org({}), wider, { cluster }))).toEqual([]);
  });

  it('lists the rules an added agent extends without asking for approval', () => {
    // In the same namespace and zone, with the same registry: the namespace's rules grow by one agent.
    const more: PolicyDefinition = (scope, c) => {
      org({})(scope, c);
      new Agent(scope, 'extra', { namespace: 'agents', zone: scope.node.findChild('inference') as Zone, podLabels: { app: 'extra' }, registry: scope.node.findChild('acme') as RegistryAllowList });
    };
    const found = forged(org({}), more, cluster);
    expect(needsApproval(found)).toEqual([]);
    expect(found.filter((f) => f.kind === 'enforcement-changed').length).toBeGreaterThan(0);
  });

  it('finds a PolicyException added or a sandbox RuntimeClass whose handler changed', () => {
    const exception: Edit = (o) => [...o, { apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', metadata: { name: 'let-me', namespace: 'agents' }, spec: {} }];
    expect(needsApproval(forged(org({}), org({}), cluster, { edit: exception }))).toContain('high admission-weakened');
    const runc = forged(org({ sandbox: true }), org({ sandbox: true }), cluster, { edit: editOne('RuntimeClass', (o) => { o['handler'] = 'runc'; }) });
    expect(runc.map((f) => `${f.risk} ${f.kind} ${f.message}`)).toContain('high sandbox-removed RuntimeClass/gvisor: the sandbox runtime changed (handler)');
  });
});

describe('control findings from objects (signatures, Kyverno)', () => {
  it('finds a swapped cosign key and a swapped keyless subject', () => {
    const swapKey = editOne('ImageValidatingPolicy', (o) => {
      const a = (o['spec'] as { attestors: Array<{ cosign: { key?: { data: string } } }> }).attestors;
      a[0]!.cosign.key!.data = KEY.replace('example', 'mallory');
    });
    expect(needsApproval(forged(org({ signatures: true }), org({ signatures: true }), KYVERNO, { edit: swapKey }))).toContain('high signature-dropped');
    const swapSubject = editOne('ImageValidatingPolicy', (o) => {
      const a = (o['spec'] as { attestors: Array<{ cosign: { keyless?: { identities: Array<{ subject: string }> } } }> }).attestors;
      a[1]!.cosign.keyless!.identities[0]!.subject = 'repo:mallory/agents';
    });
    expect(needsApproval(forged(org({ signatures: true }), org({ signatures: true }), KYVERNO, { edit: swapSubject }))).toContain('high signature-dropped');
  });
});

describe('control findings from objects (runtime guard, Tetragon)', () => {
  const allowed = (extra: string): Edit => editOne('TracingPolicyNamespaced', (o) => {
    const hooks = (o['spec'] as { lsmhooks: Array<{ selectors: Array<{ matchArgs: Array<{ operator: string; values: string[] }> }> }> }).lsmhooks;
    const args = hooks.flatMap((h) => h.selectors.flatMap((s) => s.matchArgs)).find((m) => m.operator === 'NotEqual')!;
    args.values.push(extra);
  });

  it('finds an executable added to the allow-list, and not one removed', () => {
    const found = forged(org({ runtimeGuard: true }), org({ runtimeGuard: true }), TETRAGON, { edit: allowed('/bin/sh') });
    expect(found.filter((f) => f.kind === 'runtime-relaxed').map((f) => f.message)).toEqual([expect.stringMatching(/now allows \/bin\/sh \(bprm_check_security NotEqual\)/)]);
    // The reverse: the base had /bin/sh allowed, the head does not.
    const b = synthesize(org({ runtimeGuard: true }), TETRAGON);
    const loose = allowed('/bin/sh')(structuredClone<KubeObject[]>([...b.objects]));
    const side = (objects: readonly KubeObject[]): Parameters<typeof review>[0] => ({ label: 's', clusters: [{ name: 'cil', network: 'cilium', model: b.model, objects }] });
    expect(needsApproval(review(side(loose), side(b.objects), { probes: [] }, []).clusters[0]!.findings)).toEqual([]);
  });
});

describe('celStrings', () => {
  it('reads the string literals of a CEL expression, escapes undone', () => {
    expect(celStrings("request.userInfo.username in ['a', 'b\\'c', 'd\\u000ae']")).toEqual(['a', "b'c", 'd\ne']);
  });
});
