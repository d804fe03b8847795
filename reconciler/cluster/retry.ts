import { ApiException } from '@kubernetes/client-node';

/** At most this many attempts per request (the first included). */
export const MAX_ATTEMPTS = 6;

const IDEMPOTENT = new Set(['get', 'list', 'apply', 'dry-run apply']);

function retryAfterMs(e: ApiException<unknown>): number | undefined {
  const header = (e.headers as Record<string, string> | undefined)?.['retry-after'];
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isFinite(seconds) ? Math.min(seconds * 1000, 10_000) : undefined;
}

/**
 * How long to wait before retrying a failed request, or undefined when it must not be retried.
 * Retried, with bounded exponential backoff (honouring Retry-After): 429 (API priority and
 * fairness, or storage still initializing right after CRDs are installed) and 502/503/504, which
 * the API server answers before doing anything; a connection reset only for requests that are
 * safe to repeat. Never a 4xx answer about the request itself, nor 500 (e.g. an untypable patch).
 */
export function retryDelay(e: unknown, verb: string, attempt: number): number | undefined {
  if (attempt >= MAX_ATTEMPTS) return undefined;
  const backoff = Math.min(100 * 2 ** (attempt - 1), 3_000);
  if (e instanceof ApiException) return e.code === 429 ? (retryAfterMs(e) ?? backoff) : UNAVAILABLE.has(e.code) ? backoff : undefined;
  return isReset(e) && IDEMPOTENT.has(verb) ? backoff : undefined;
}

const UNAVAILABLE = new Set([502, 503, 504]);

function isReset(e: unknown): boolean {
  const code = (e as { code?: string; cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
