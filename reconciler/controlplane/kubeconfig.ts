import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly name: string;
  readonly server: string;
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A self-contained kubeconfig (certificates inlined) for the local cluster's admin. */
export function renderKubeconfig(k: KubeconfigInput): string {
  const user = `${k.name}-admin`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.name, cluster: { server: k.server, 'certificate-authority-data': b64(k.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(k.clientCert), 'client-key-data': b64(k.clientKey) } }],
    contexts: [{ name: k.name, context: { cluster: k.name, user } }],
    'current-context': k.name,
    preferences: {},
  });
}
