import { describe, expect, it } from 'vitest';
import type { Probe, ReviewConfig } from './config.js';
import { withRuleFindings } from './review.js';
import { effectiveRules, reviewRuleFindings } from './rules.js';
import type { Review } from './types.js';

const probe = (name: string, expect: 'allow' | 'deny' = 'deny'): Probe => ({ name, from: 'zone:a', to: 'b/*', expect });
const base: ReviewConfig = { approvalLabel: 'security-approved', probes: [probe('p1'), probe('p2')] };

describe('review rules changed', () => {
  it('is silent when the rules and the review code are unchanged', () => {
    expect(reviewRuleFindings(base, base, [])).toEqual([]);
  });
  it('flags a removed approval label, a removed or changed probe (high) and an added probe (low)', () => {
    const head: ReviewConfig = { probes: [probe('p2', 'allow'), probe('p3')] };
    expect(reviewRuleFindings(base, head, []).map((f) => `${f.risk} ${f.subject}`)).toEqual([
      'high palisade.yaml review.approval', 'high palisade.yaml review.probes p1', 'high palisade.yaml review.probes p2', 'low palisade.yaml review.probes p3',
    ]);
  });
  it('flags changed review code, but not palisade.yaml as code', () => {
    const f = reviewRuleFindings(base, base, ['lib/review/reach.ts', 'palisade.yaml']);
    expect(f.map((x) => `${x.risk} ${x.subject}`)).toEqual(['high lib/review/reach.ts']);
  });
  it('keeps the base approval label and probes, and adds the head\'s new probes', () => {
    const rules = effectiveRules(base, { probes: [probe('p1', 'allow'), probe('p3')] });
    expect(rules.approvalLabel).toBe('security-approved');
    expect(rules.probes.map((p) => `${p.name} ${p.expect}`)).toEqual(['p1 deny', 'p2 deny', 'p3 deny']);
  });
  it('a high rule finding needs the approval unless it is granted', () => {
    const r: Review = { base: 'b', head: 'h', clusters: [], rules: [], risk: 'none', needsApproval: false, approval: { required: 'security-approved', granted: false } };
    const findings = reviewRuleFindings(base, { probes: base.probes }, []);
    expect(withRuleFindings(r, findings)).toMatchObject({ risk: 'high', needsApproval: true });
    expect(withRuleFindings({ ...r, approval: { required: 'security-approved', granted: true } }, findings).needsApproval).toBe(false);
    expect(withRuleFindings(r, reviewRuleFindings(base, { ...base, probes: [...base.probes, probe('p9')] }, []))).toMatchObject({ risk: 'low', needsApproval: false });
  });
});
