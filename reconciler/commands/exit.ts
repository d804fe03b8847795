/** Exit codes CI can rely on: 0 success, 1 findings (drift, weakening, a check that does not hold), 2 error. */
export const EXIT = { ok: 0, findings: 1, error: 2 } as const;
