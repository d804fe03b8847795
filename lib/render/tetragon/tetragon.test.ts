import { describe, expect, it } from 'vitest';
import { findObject, objectsOfKind, synthIssues, synthObjects } from '../../testing/index.js';
import { smallOrg } from '../../../test/fixtures/small-org.js';

describe('tetragon renderer', () => {
  it('blocks exec outside the allow-list and from writable paths with BPF-LSM Override', () => {
    const objects = synthObjects(smallOrg({ runtimeGuard: true }), { runtime: 'tetragon' });
    const tp = findObject(objects, 'TracingPolicyNamespaced', 'researcher-runtime', 'agents').spec as { podSelector: unknown; lsmhooks: Array<{ selectors: Array<{ matchArgs: unknown; matchActions: unknown }> }> };
    expect(tp.podSelector).toEqual({ matchLabels: { app: 'researcher' } });
    expect(tp.lsmhooks[0]?.selectors[0]?.matchArgs).toEqual([{ index: 0, operator: 'NotEqual', values: ['/usr/bin/python3'] }]);
    expect(tp.lsmhooks[1]?.selectors[0]?.matchArgs).toEqual([{ index: 0, operator: 'Prefix', values: ['/dev/shm/', '/home/', '/tmp/', '/var/tmp/'] }]);
    expect(tp.lsmhooks[0]?.selectors[0]?.matchActions).toEqual([{ action: 'Override', argError: -1 }]);
  });

  it('says that Tetragon cannot see inside a gVisor sandbox, unless acknowledged', () => {
    expect(synthIssues(smallOrg({ runtimeGuard: true, sandbox: true }), { runtime: 'tetragon' })).toEqual([
      expect.objectContaining({ code: 'SandboxBlindSpot', path: 'policies/researcher', message: expect.stringMatching(/cannot see inside gVisor or Kata sandboxes/) }),
    ]);
    expect(objectsOfKind(synthObjects(smallOrg({ runtimeGuard: 'acknowledged', sandbox: true }), { runtime: 'tetragon' }), 'TracingPolicyNamespaced')).toHaveLength(1);
  });

  it('refuses a runtime guard on a cluster without a runtime backend', () => {
    expect(synthIssues(smallOrg({ runtimeGuard: true }))[0]?.message).toMatch(/needs a runtime backend, but cluster "test" has runtime: none/);
  });
});

describe('ClusterNetworkPolicy renderer', () => {
  it('denies cloud metadata and cross-zone ingress in the Admin tier when the cluster supports it', () => {
    const objects = synthObjects(smallOrg({ crossZone: 'allowed' }), { clusterNetworkPolicy: true });
    expect(findObject(objects, 'ClusterNetworkPolicy', 'palisade-deny-cloud-metadata').spec).toMatchObject({ tier: 'Admin', priority: 10, egress: [{ action: 'Deny', to: [{ networks: ['100.100.100.200/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32', 'fd00:ec2::23/128', 'fd00:ec2::254/128'] }] }] });
    const training = findObject(objects, 'ClusterNetworkPolicy', 'palisade-zone-training').spec as { ingress: Array<{ from: Array<{ namespaces: { matchExpressions: unknown[] } }> }> };
    expect(training.ingress[0]?.from[0]?.namespaces.matchExpressions).toContainEqual({ key: 'palisade.dev/zone', operator: 'NotIn', values: ['inference', 'training'] });
    expect(objectsOfKind(synthObjects(smallOrg()), 'ClusterNetworkPolicy')).toEqual([]);
  });
});
