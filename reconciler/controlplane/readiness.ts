import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface TlsClient { readonly ca: string; readonly cert: string; readonly key: string }

/** GET `url`; resolves to [status, body], or [0, error message] when nothing answered. */
export function probeUrl(url: string, tls?: TlsClient, timeoutMs = 2000): Promise<[number, string]> {
  return new Promise((resolve) => {
    const options = { timeout: timeoutMs, ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}) };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve([res.statusCode ?? 0, body]));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve([0, e.message]));
    req.end();
  });
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Called each poll; return a reason to stop waiting (e.g. the process died). */
  readonly abortIf?: () => string | undefined;
  readonly onWait?: (lastAnswer: string) => void;
}

/** Polls until `url` answers 200; returns the last answer on timeout or abort as an Error. */
export async function waitForOk(url: string, tls: TlsClient | undefined, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(abort);
    const [status, body] = await probeUrl(url, tls);
    if (status === 200) return;
    last = status === 0 ? body : `HTTP ${status}: ${body.slice(0, 300)}`;
    opts.onWait?.(last);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${Math.round(opts.timeoutMs / 1000)}s (last answer: ${last})`);
}
