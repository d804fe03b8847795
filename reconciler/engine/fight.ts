/**
 * Detects a fight: the same object corrected again and again because another controller keeps
 * changing it. After `threshold` corrections inside `windowMs`, corrections of that object back
 * off exponentially instead of flapping, and the fight is reported once per backoff step.
 */
export interface FightOptions {
  /** @default 5 */
  readonly threshold?: number;
  /** @default 60000 */
  readonly windowMs?: number;
  /** First backoff. @default 5000 */
  readonly baseBackoffMs?: number;
  /** @default 300000 */
  readonly maxBackoffMs?: number;
}

export type FightVerdict =
  | { readonly state: 'ok' }
  | { readonly state: 'backoff'; readonly untilMs: number }
  | { readonly state: 'fight'; readonly corrections: number; readonly backoffMs: number };

export class FightDetector {
  private readonly history = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, { until: number; level: number }>();

  public constructor(private readonly opts: FightOptions = {}) {}

  /** Whether a correction of `key` may run now. */
  public check(key: string, now: number): FightVerdict {
    const b = this.blockedUntil.get(key);
    return b && now < b.until ? { state: 'backoff', untilMs: b.until } : { state: 'ok' };
  }

  /** Records a correction; returns 'fight' when this one crossed the threshold. */
  public record(key: string, now: number): FightVerdict {
    const windowMs = this.opts.windowMs ?? 60_000;
    const recent = [...(this.history.get(key) ?? []), now].filter((t) => now - t <= windowMs);
    this.history.set(key, recent);
    if (recent.length < (this.opts.threshold ?? 5)) return { state: 'ok' };
    const level = (this.blockedUntil.get(key)?.level ?? -1) + 1;
    const backoffMs = Math.min((this.opts.baseBackoffMs ?? 5000) * 2 ** level, this.opts.maxBackoffMs ?? 300_000);
    this.blockedUntil.set(key, { until: now + backoffMs, level });
    this.history.set(key, []);
    return { state: 'fight', corrections: recent.length, backoffMs };
  }
}
