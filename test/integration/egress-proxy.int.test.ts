/**
 * The egress proxy's generated configuration on the real API server, against an adversary (issue 13
 * E6 with issue 11's threat model): mallory, with RBAC on ConfigMaps in the proxy's namespace only,
 * rewrites squid.conf to forward anywhere. The drift check reports the ConfigMap modified, naming
 * mallory's field manager; read by meaning (Squid's access rules), the live configuration lets the
 * agent's listener reach any host until one reconcile pass restores exactly the agent's hosts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Agent, EgressProxy, ExternalEndpoint, synthesize, Zone, type PolicyDefinition } from '../../lib/index.js';
import { parseSquidConfig, squidAllows } from '../../lib/analysis/index.js';
import { testCluster } from '../../lib/testing/index.js';
import { reconcileOnce } from '../../reconciler/engine/reconcile-once.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { desiredFrom, type ClusterTarget } from '../../reconciler/source/desired.js';
import { testClient, uniqueName } from '../support/cluster.js';
import { kubectlAs } from '../support/kubectl-as.js';
import { skipWithout } from '../support/tools.js';

const client = testClient();
const MALLORY = 'mallory@example.com';

function definition(suffix: string): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'z');
    const proxy = new EgressProxy(scope, 'proxy', { namespace: `egress-${suffix}`, zone });
    new Agent(scope, 'agent', { namespace: `agents-${suffix}`, zone, podLabels: { app: 'agent' } }).allowTo(new ExternalEndpoint(scope, 'api', { host: 'api.example.com' }), { via: proxy });
  };
}

describe.skipIf(skipWithout('kubectl'))('egress proxy configuration under attack', () => {
  const suffix = uniqueName('x').slice(2);
  const ns = `egress-${suffix}`;
  const id = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'proxy-squid' };
  let target: ClusterTarget;
  const liveAllows = async (host: string): Promise<boolean> => {
    const cm = await client.get(id);
    return squidAllows(parseSquidConfig(String((cm?.['data'] as Record<string, string>)['squid.conf'])), { listener: 'agent', host, port: 443 });
  };

  beforeAll(async () => {
    const spec = testCluster({ name: `it-${suffix}` });
    const desired = desiredFrom(synthesize(definition(suffix), spec), 'rev-1');
    const objects = new Map([...desired.objects].filter(([, o]) => !o.kind.startsWith('ValidatingAdmission')));
    target = { spec, desired: { ...desired, objects, admissionPolicies: [], kyvernoPolicies: [] }, probes: [] };
    expect((await reconcileOnce(client, new Predictor(client), target, { write: true, allowMassPrune: false })).report.failures).toEqual([]);
    const rbac = 'rbac.authorization.k8s.io/v1';
    await client.apply({ apiVersion: rbac, kind: 'Role', metadata: { name: 'mallory-cm', namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'patch', 'update'] }] });
    await client.apply({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'mallory-cm', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'mallory-cm' }, subjects: [{ kind: 'User', name: MALLORY, apiGroup: 'rbac.authorization.k8s.io' }] });
  });

  it('applies a configuration where the agent\'s listener reaches its host only', async () => {
    expect(await liveAllows('api.example.com')).toBe(true);
    expect(await liveAllows('evil.example.org')).toBe(false);
  });

  it('reports a squid.conf rewritten to forward anywhere, and one pass restores the agent\'s list', async () => {
    const patch = JSON.stringify({ data: { 'squid.conf': 'http_port 3128 name=agent\nhttp_access allow all\n' } });
    const r = await kubectlAs(MALLORY, [], ['-n', ns, 'patch', 'configmap', 'proxy-squid', '--type=merge', '-p', patch]);
    expect(r.out).toContain('patched');
    expect(await liveAllows('evil.example.org')).toBe(true);
    const drift = await reconcileOnce(client, new Predictor(client), target, { write: false });
    const item = drift.report.items.find((i) => i.id.kind === 'ConfigMap' && i.id.name === 'proxy-squid');
    expect(item).toMatchObject({ kind: 'modified', corrected: false });
    expect(item?.fields.map((f) => f.manager)).toContain('kubectl-patch');
    const pass = await reconcileOnce(client, new Predictor(client), target, { write: true, allowMassPrune: false });
    expect(pass.report.items.find((i) => i.id.name === 'proxy-squid')).toMatchObject({ kind: 'modified', corrected: true });
    expect(await liveAllows('evil.example.org')).toBe(false);
    expect(await liveAllows('api.example.com')).toBe(true);
    expect((await reconcileOnce(client, new Predictor(client), target, { write: false })).report.items).toEqual([]);
  });
});
