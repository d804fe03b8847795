import { Agent as HttpsAgent } from 'node:https';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pooledAuth } from './pooled.js';

function kubeConfig(cluster: { server: string; proxyUrl?: string }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', skipTLSVerify: false, caData: Buffer.from('test-ca').toString('base64'), ...cluster }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function authenticate(kc: KubeConfig, auth = pooledAuth(kc)): Promise<RequestContext> {
  const ctx = new RequestContext('https://10.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await auth.applySecurityAuthentication(ctx);
  return ctx;
}

describe('pooledAuth', () => {
  it('hands every request of a client the same keep-alive agent, with the kubeconfig TLS material and headers per request', async () => {
    const kc = kubeConfig({ server: 'https://10.0.0.1:6443' });
    const auth = pooledAuth(kc);
    const [a, b] = [await authenticate(kc, auth), await authenticate(kc, auth)];
    expect(a.getAgent()).toBe(b.getAgent());
    const agent = a.getAgent() as HttpsAgent & { keepAlive: boolean; options: { ca?: unknown } };
    expect(agent).toBeInstanceOf(HttpsAgent);
    expect(agent.keepAlive).toBe(true);
    expect(String(agent.options.ca)).toBe('test-ca');
    expect(b.getHeaders()['Authorization']).toBe('Bearer secret-token');
  });

  it('gives two clients two pools, and leaves a proxy agent per request', async () => {
    const kc = kubeConfig({ server: 'https://10.0.0.1:6443' });
    expect((await authenticate(kc)).getAgent()).not.toBe((await authenticate(kc)).getAgent());
    const proxied = kubeConfig({ server: 'https://10.0.0.1:6443', proxyUrl: 'http://proxy.local:3128' });
    const auth = pooledAuth(proxied);
    const [a, b] = [await authenticate(proxied, auth), await authenticate(proxied, auth)];
    expect(a.getAgent()).not.toBe(b.getAgent());
    expect(Object.getPrototypeOf(a.getAgent())).not.toBe(HttpsAgent.prototype); // client-node's proxy agent
  });
});
