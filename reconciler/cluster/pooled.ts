import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';

/**
 * The kubeconfig's authentication with one keep-alive connection pool per client.
 *
 * client-node builds a new https.Agent for every request, so every request opens a new TLS
 * connection and parses the kubeconfig's CA and client certificate into a new OpenSSL context,
 * native memory V8 does not count and frees late: a controller applying and re-reading 10,000
 * objects grew by hundreds of MB that way. Headers (tokens, exec credentials) are still applied per
 * request; only the connection is shared. A proxy agent (`proxy-url`) is left per request.
 */
export function pooledAuth(kc: KubeConfig): SecurityAuthentication {
  let pool: HttpAgent | undefined;
  return {
    getName: () => 'palisade-pooled',
    async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
      await kc.applySecurityAuthentication(ctx);
      const made = ctx.getAgent();
      if (!made || !isPlain(made)) return;
      pool ??= keepAlive(made);
      ctx.setAgent(pool);
    },
  };
}

function isPlain(agent: HttpAgent): boolean {
  const proto: unknown = Object.getPrototypeOf(agent);
  return proto === HttpsAgent.prototype || proto === HttpAgent.prototype;
}

/** An agent like `made` (same TLS material and verification) that keeps connections open. */
function keepAlive(made: HttpAgent): HttpAgent {
  const opts = { ...(made as HttpAgent & { options: object }).options, keepAlive: true, keepAliveMsecs: 30_000, scheduling: 'lifo' as const };
  return made instanceof HttpsAgent ? new HttpsAgent(opts) : new HttpAgent(opts);
}
