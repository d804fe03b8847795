import { describe, expect, it } from 'vitest';
import { CLOUD_METADATA_CIDRS } from '../selectors.js';
import { findObject, synthIssues, synthObjects } from '../../testing/index.js';
import { smallOrg } from '../../../test/fixtures/small-org.js';

const calico = { network: 'calico' as const };

describe('calico renderer', () => {
  it('puts every policy in the palisade tier, whose default action denies what no rule allows', () => {
    const objects = synthObjects(smallOrg(), calico);
    expect(findObject(objects, 'Tier', 'palisade').spec).toEqual({ order: 2000, defaultAction: 'Deny' });
    expect(findObject(objects, 'GlobalNetworkPolicy', 'palisade.default-deny').spec).toMatchObject({ tier: 'palisade', order: 1000, namespaceSelector: 'has(palisade.dev/zone)', types: ['Ingress', 'Egress'] });
    expect(findObject(objects, 'GlobalNetworkPolicy', 'palisade.quarantine').spec).toMatchObject({ order: 10, selector: "palisade.dev/quarantine == 'true'", ingress: [{ action: 'Deny' }] });
  });

  it('allows the agent to the tool with selector expressions that exclude quarantined pods', () => {
    const objects = synthObjects(smallOrg(), calico);
    expect(findObject(objects, 'NetworkPolicy', 'palisade.researcher-egress', 'agents').spec).toEqual({
      tier: 'palisade', order: 100, selector: "app == 'researcher' && palisade.dev/quarantine != 'true'", serviceAccountSelector: "projectcalico.org/name == 'researcher'", types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'tools'", selector: "app == 'mcp' && palisade.dev/quarantine != 'true'", ports: [8080] } }],
    });
  });

  it('refuses DNS-name egress on open-source Calico and says so for Enterprise too', () => {
    expect(synthIssues(smallOrg({ external: 'name' }), calico)[0]?.message).toMatch(/needs Calico Enterprise \(DNS policy\); open-source Calico has no domain egress/);
    expect(synthIssues(smallOrg({ external: 'name' }), { ...calico, calicoEnterprise: true })[0]?.message).toMatch(/palisade does not emit Calico Enterprise domain rules yet/);
  });

  it('refuses HTTP rules on egress', () => {
    expect(synthIssues(smallOrg({ http: true }), calico)).toEqual([expect.objectContaining({ code: 'UnsupportedByBackend', message: expect.stringMatching(/not enforced by open-source Calico on egress/) })]);
  });

  it('denies cloud metadata for every governed namespace before any allow', () => {
    const spec = findObject(synthObjects(smallOrg(), calico), 'GlobalNetworkPolicy', 'palisade.deny-cloud-metadata').spec;
    // Exactly one rule: a trailing Pass would skip the tier's allow-lists and default deny.
    expect(spec).toMatchObject({ order: 20, namespaceSelector: 'has(palisade.dev/zone)', egress: [{ action: 'Deny', destination: { nets: [...CLOUD_METADATA_CIDRS] } }] });
    expect((spec as { egress: unknown[] }).egress).toHaveLength(1);
  });
});
