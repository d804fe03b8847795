import { describe, expect, it } from 'vitest';
import { CLOUD_METADATA_DENY } from '../selectors.js';
import { findObject, synthObjects } from '../../testing/index.js';
import { smallOrg } from '../../../test/fixtures/small-org.js';

const cilium = { network: 'cilium' as const };

describe('cilium renderer', () => {
  it('allows DNS names with toFQDNs, pins SNI for exact names and proxies DNS so names resolve', () => {
    const objects = synthObjects(smallOrg({ external: 'name' }), cilium);
    const egress = findObject(objects, 'CiliumNetworkPolicy', 'researcher-egress', 'agents').spec as { egress: unknown[] };
    expect(egress.egress[1]).toEqual({
      toFQDNs: [{ matchName: 'api.openai.com' }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['api.openai.com'] }],
    });
    // The namespace resolves cluster-internal names only; the agent adds exactly its own names
    // (with the search domains a resolver appends), so DNS carries nothing else out.
    const dns = findObject(objects, 'CiliumNetworkPolicy', 'palisade-allow-dns', 'agents').spec;
    expect(dns).toMatchObject({ egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.*.svc.cluster.local' }, { matchPattern: '*.*.*.svc.cluster.local' }] } }] }] });
    expect(egress.egress[2]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: ['api.openai.com', 'api.openai.com.agents.svc.cluster.local', 'api.openai.com.cluster.local', 'api.openai.com.svc.cluster.local'].map((matchName) => ({ matchName })) } }],
    });
  });

  it('uses matchPattern for wildcards and no SNI pin', () => {
    const objects = synthObjects(smallOrg({ external: 'wildcard' }), cilium);
    const egress = findObject(objects, 'CiliumNetworkPolicy', 'researcher-egress', 'agents').spec as { egress: unknown[] };
    expect(egress.egress[1]).toEqual({ toFQDNs: [{ matchPattern: '*.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
  });

  it('enforces HTTP method and path at L7', () => {
    const objects = synthObjects(smallOrg({ http: true }), cilium);
    const egress = findObject(objects, 'CiliumNetworkPolicy', 'researcher-egress', 'agents').spec as { egress: Array<{ toPorts: unknown }> };
    expect(egress.egress[0]?.toPorts).toEqual([{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/call' }] } }]);
  });

  it('denies cloud metadata and isolates quarantined pods cluster-wide (deny beats allow)', () => {
    const objects = synthObjects(smallOrg(), cilium);
    expect(findObject(objects, 'CiliumClusterwideNetworkPolicy', 'palisade-deny-cloud-metadata').spec).toEqual({
      // Every governed namespace: the tool's too (tool servers are the classic SSRF pivot).
      endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['agents', 'tools'] }] },
      egressDeny: [{ toCIDR: [...CLOUD_METADATA_DENY] }],
    });
    // Deny-only, and every in-cluster peer is named (what it means: lib/render/quarantine.test.ts
    // and the Cilium oracle): world alone left foreign in-cluster allows in force (E1).
    expect(findObject(objects, 'CiliumClusterwideNetworkPolicy', 'palisade-quarantine').spec).toEqual({
      endpointSelector: { matchLabels: { 'palisade.dev/quarantine': 'true' } },
      ingressDeny: [{ fromEntities: ['world', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'init', 'unmanaged'] }, { fromEndpoints: [{}] }],
      egressDeny: [
        { toEntities: ['world', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'init', 'unmanaged', 'host'] },
        { toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }] },
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' }, matchExpressions: [{ key: 'k8s:k8s-app', operator: 'NotIn', values: ['kube-dns'] }] }] },
        { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '1', endPort: 52, protocol: 'ANY' }, { port: '54', endPort: 65535, protocol: 'ANY' }] }] },
      ],
    });
  });

  it('selects agents by ServiceAccount as well as labels, as subject and as peer', () => {
    const objects = synthObjects(smallOrg(), cilium);
    expect(findObject(objects, 'CiliumNetworkPolicy', 'researcher-egress', 'agents').spec).toMatchObject({ endpointSelector: { matchLabels: { app: 'researcher', 'io.cilium.k8s.policy.serviceaccount': 'researcher' } } });
    expect(findObject(objects, 'CiliumNetworkPolicy', 'mcp-ingress', 'tools').spec).toMatchObject({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'researcher', 'io.cilium.k8s.policy.serviceaccount': 'researcher', 'k8s:io.kubernetes.pod.namespace': 'agents' } }] }] });
  });

  it('reaches the API server through the kube-apiserver entity', () => {
    const objects = synthObjects(smallOrg({ kubeApi: true }), cilium);
    const egress = findObject(objects, 'CiliumNetworkPolicy', 'researcher-egress', 'agents').spec as { egress: unknown[] };
    expect(egress.egress.at(-1)).toMatchObject({ toEntities: ['kube-apiserver'] });
  });
});
