import { describe, expect, it } from 'vitest';
import { findObject, objectsOfKind, synthIssues, synthObjects } from '../../testing/index.js';
import { smallOrg } from '../../../test/fixtures/small-org.js';

describe('kubernetes NetworkPolicy renderer', () => {
  it('makes every managed namespace default-deny in both directions and allows DNS', () => {
    const objects = synthObjects(smallOrg());
    for (const ns of ['agents', 'tools']) {
      expect(findObject(objects, 'NetworkPolicy', 'palisade-default-deny', ns).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const dns = findObject(objects, 'NetworkPolicy', 'palisade-allow-dns', ns).spec as { egress: Array<{ ports: unknown[] }> };
      expect(dns.egress[0]?.ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    }
  });

  it('allows the agent to reach the tool on its port, excluding quarantined pods on both sides', () => {
    const objects = synthObjects(smallOrg());
    const egress = findObject(objects, 'NetworkPolicy', 'researcher-egress', 'agents').spec;
    expect(egress).toEqual({
      podSelector: { matchLabels: { app: 'researcher' }, matchExpressions: [{ key: 'palisade.dev/quarantine', operator: 'NotIn', values: ['true'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } }, podSelector: { matchLabels: { app: 'mcp' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const ingress = findObject(objects, 'NetworkPolicy', 'mcp-ingress', 'tools').spec as { ingress: Array<{ from: Array<{ podSelector: unknown }> }> };
    expect(ingress.ingress[0]?.from[0]?.podSelector).toEqual({ matchLabels: { app: 'researcher' }, matchExpressions: [{ key: 'palisade.dev/quarantine', operator: 'NotIn', values: ['true'] }] });
  });

  it('refuses egress by DNS name, naming the construct, the cluster and the options', () => {
    const issues = synthIssues(smallOrg({ external: 'name' }));
    expect(issues).toEqual([expect.objectContaining({
      code: 'UnsupportedByBackend', path: 'policies/researcher/allowTo/external/openai',
      message: expect.stringMatching(/egress to DNS name "api\.openai\.com" cannot be expressed by Kubernetes NetworkPolicy.*cluster "test"/),
      hint: expect.stringMatching(/cilium network backend.*cidrFallback/),
    })]);
  });

  it('uses an opted-in CIDR fallback and still carves out cloud metadata (inside link-local) and the private blocks', () => {
    const objects = synthObjects(smallOrg({ external: 'cidr-fallback' }));
    const egress = findObject(objects, 'NetworkPolicy', 'researcher-egress', 'agents').spec as { egress: Array<{ to: unknown[] }> };
    expect(egress.egress[1]?.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }]);
  });

  it('refuses L7 HTTP rules and an API-server waiver without addresses', () => {
    const issues = synthIssues(smallOrg({ http: true, kubeApi: true }));
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/HTTP method\/path rules cannot be expressed by Kubernetes NetworkPolicy/),
      expect.stringMatching(/allowKubeApi needs the kube-apiserver address/),
    ]);
  });

  it('allows the kube-apiserver addresses when the cluster declares them', () => {
    const objects = synthObjects(smallOrg({ kubeApi: true }), { kubeApiServerCidrs: ['10.96.0.1/32'] });
    const egress = findObject(objects, 'NetworkPolicy', 'researcher-egress', 'agents').spec as { egress: Array<{ to: unknown[] }> };
    expect(egress.egress.at(-1)?.to).toEqual([{ ipBlock: { cidr: '10.96.0.1/32' } }]);
  });

  it('emits no policy that allows cloud metadata unless waived', () => {
    const all = JSON.stringify(objectsOfKind(synthObjects(smallOrg({ external: 'cidr-fallback' })), 'NetworkPolicy'));
    expect(all).not.toMatch(/"cidr":"169\.254\.169\.254\/32"\}/);
  });
});
