import { describe, expect, it } from 'vitest';
import { countDenials } from './denials.js';

const SAMPLE = `# HELP apiserver_validating_admission_policy_check_total [BETA] Validation admission policy check total, labeled by policy and further identified by binding and enforcement action taken.
# TYPE apiserver_validating_admission_policy_check_total counter
apiserver_validating_admission_policy_check_total{enforcement_action="allow",error_type="no_error",policy="palisade-protect-local",policy_binding="palisade-protect-local"} 40
apiserver_validating_admission_policy_check_total{enforcement_action="deny",error_type="no_error",policy="palisade-protect-local",policy_binding="palisade-protect-local"} 3
apiserver_validating_admission_policy_check_total{enforcement_action="deny",error_type="invalid_error",policy="palisade-protect-local",policy_binding="other-binding"} 2
apiserver_validating_admission_policy_check_total{enforcement_action="deny",error_type="no_error",policy="palisade-protect-local-2",policy_binding="x"} 7
apiserver_validating_admission_policy_check_duration_seconds_count{enforcement_action="deny",error_type="no_error",policy="palisade-protect-local",policy_binding="palisade-protect-local"} 3
`;

describe('countDenials', () => {
  it('sums the deny samples of exactly that policy, over bindings and error types', () => {
    expect(countDenials(SAMPLE, 'palisade-protect-local')).toBe(5);
    expect(countDenials(SAMPLE, 'palisade-protect-local-2')).toBe(7);
    expect(countDenials(SAMPLE, 'absent')).toBe(0);
  });

  it('reads escaped label values', () => {
    expect(countDenials('apiserver_validating_admission_policy_check_total{policy="a\\"b",enforcement_action="deny"} 4\n', 'a"b')).toBe(4);
  });
});
