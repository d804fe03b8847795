import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from './load.js';

const parse = (text: string): unknown => parseClusterSpec(text, 'clusters/x/cluster.yaml', 'x');

describe('cluster.yaml', () => {
  it('fills defaults', () => {
    expect(parse('network: cilium\nadmission: vap\n')).toMatchObject({ name: 'x', runtime: 'none', clusterNetworkPolicy: false, dns: { namespace: 'kube-system' }, kubeApiServerCidrs: [] });
  });

  it('reads who syncs the cluster', () => {
    expect(parse('network: cilium\nadmission: vap\nsyncedBy: {engine: flux, namespace: flux-system, name: policies}\n')).toMatchObject({ syncedBy: { engine: 'flux', namespace: 'flux-system', name: 'policies' } });
  });

  it.each([
    ['an unknown key', 'network: cilium\nadmission: vap\nnetwrok: x\n', /clusters\/x\/cluster\.yaml: invalid cluster configuration:\n {2}\/: must NOT have additional properties \("netwrok"\)/],
    ['a backend that does not exist', 'network: flannel\nadmission: vap\n', /\/network: must be equal to one of the allowed values \(kubernetes, cilium, calico\)/],
    ['a missing backend', 'network: cilium\n', /must have required property 'admission'/],
    ['malformed YAML', 'network: [cilium\n', /clusters\/x\/cluster\.yaml: malformed YAML/],
    ['a name that is not the folder', 'name: other\nnetwork: cilium\nadmission: vap\n', /\/name: "other" does not match the folder name "x"/],
    // YAML 1.1, as Kubernetes reads it: a bare y is a boolean.
    ['a sync engine palisade does not know', 'network: cilium\nadmission: vap\nsyncedBy: {engine: spinnaker}\n', /\/syncedBy\/engine: must be equal to one of the allowed values \(palisade, argocd, flux\)/],
    ['a YAML 1.1 boolean where a string belongs', 'name: y\nnetwork: cilium\nadmission: vap\n', /\/name: must be string/],
  ])('rejects %s, naming the file and field', (_what, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
