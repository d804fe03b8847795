import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryDelay } from './retry.js';

const api = (code: number, headers: Record<string, string> = {}): ApiException<unknown> => new ApiException(code, 'x', '{}', headers);
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('retryDelay', () => {
  it('retries 429 honouring Retry-After, and 503 with exponential backoff', () => {
    expect(retryDelay(api(429, { 'retry-after': '1' }), 'apply', 1)).toBe(1000);
    expect(retryDelay(api(429), 'create', 2)).toBe(200);
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(api(503), 'replace', a))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('gives up after the last attempt', () => {
    expect(retryDelay(api(429), 'get', MAX_ATTEMPTS)).toBeUndefined();
  });

  it('never retries an answer about the request itself', () => {
    for (const code of [400, 403, 404, 409, 422, 500]) expect(retryDelay(api(code), 'apply', 1), String(code)).toBeUndefined();
  });

  it('retries a connection reset only for requests safe to repeat', () => {
    expect(retryDelay(reset, 'get', 1)).toBe(100);
    expect(retryDelay(reset, 'apply', 1)).toBe(100);
    expect(retryDelay(reset, 'create', 1)).toBeUndefined();
    expect(retryDelay(reset, 'delete', 1)).toBeUndefined();
  });
});
