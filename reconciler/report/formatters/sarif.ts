import { formatId } from '../../../lib/core/resource-id.js';
import type { DriftKind, DriftReport } from '../drift-report.js';
import { fieldLine } from './text.js';

const RULES: Record<DriftKind, { id: string; text: string }> = {
  modified: { id: 'palisade/drift-modified', text: 'A managed object differs from Git.' },
  missing: { id: 'palisade/drift-missing', text: 'A managed object is missing from the cluster.' },
  foreign: { id: 'palisade/foreign-object', text: 'An object palisade does not own widens access inside what it governs.' },
  unpruned: { id: 'palisade/not-pruned', text: 'An object removed from Git is still in the cluster.' },
  fight: { id: 'palisade/fight', text: 'Another writer keeps changing a managed object; watch mode keeps correcting it.' },
};

/** SARIF 2.1.0 for code-scanning dashboards; each open drift is one result at the object's manifest. */
export function formatSarif(reports: readonly DriftReport[], manifestsDir = 'dist'): string {
  const results = reports.flatMap((r) => r.items.filter((i) => !i.corrected).map((i) => ({
    ruleId: RULES[i.kind].id,
    level: 'error',
    message: { text: `${formatId(i.id)} in cluster ${r.cluster}: ${[i.detail, ...i.fields.map(fieldLine)].filter(Boolean).join('; ') || i.kind}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri: `${manifestsDir}/${r.cluster}/${[i.id.kind.toLowerCase(), i.id.namespace, i.id.name].filter(Boolean).join('.')}.yaml` } },
      logicalLocations: [{ fullyQualifiedName: `${r.cluster}/${formatId(i.id)}`, kind: 'resource' }],
    }],
  })));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'palisade', informationUri: 'https://github.com/palisade-dev/palisade', version: '0.1.0', rules: Object.values(RULES).map((x) => ({ id: x.id, shortDescription: { text: x.text } })) } },
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
