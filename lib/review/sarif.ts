import type { Review, Risk } from './types.js';

const LEVEL: Readonly<Record<Risk, 'error' | 'warning' | 'note' | 'none'>> = { high: 'error', medium: 'warning', low: 'note', none: 'none' };

/** SARIF 2.1.0: one result per finding, located at the construct path (policies/…) or object. */
export function reviewSarif(r: Review, version: string): Record<string, unknown> {
  const findings = [...r.rules, ...r.clusters.flatMap((c) => c.findings)];
  const kinds = [...new Set(findings.map((f) => f.kind))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'palisade-review', version, informationUri: 'https://github.com/acme/palisade', rules: kinds.map((k) => ({ id: k, shortDescription: { text: k.replace(/-/g, ' ') } })) } },
      results: findings.map((f) => ({
        ruleId: f.kind,
        level: LEVEL[f.risk],
        message: { text: `[${f.cluster}] ${f.message}` },
        locations: [{ logicalLocations: [{ name: f.subject, kind: 'module' }] }],
      })),
    }],
  };
}
