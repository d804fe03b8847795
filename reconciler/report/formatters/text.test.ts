import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../drift-report.js';
import { formatText } from './text.js';

const report = (denials?: DriftReport['denials']): DriftReport => ({
  cluster: 'prod', revision: 'abcdef1234567890', detectedAt: '2026-12-03T00:00:00.000Z', managed: [], items: [], skipped: [], failures: [],
  summary: { created: 0, configured: 0, unchanged: 0, pruned: 0, removed: 0, skipped: 0, failed: 0 },
  ...(denials ? { denials } : {}),
});

describe('text drift report: denied tampers', () => {
  it('states the count and where to find who', () => {
    expect(formatText([report({ policy: 'palisade-protect-prod', denied: 3 })])).toContain('  denied tampers: 3 write(s) refused by palisade-protect-prod since the API server started (who: API server audit log)\n');
  });

  it('says unknown, never zero, when the count cannot be read', () => {
    const text = formatText([report({ policy: 'palisade-protect-prod', error: 'cannot read the API server\'s /metrics (HTTP 403)' })]);
    expect(text).toContain('denied tampers: unknown: cannot read the API server\'s /metrics (HTTP 403)');
    expect(text).not.toMatch(/denied tampers: 0/);
  });

  it('has no line when the cluster is not protected', () => {
    expect(formatText([report()])).not.toContain('denied tampers');
  });
});
