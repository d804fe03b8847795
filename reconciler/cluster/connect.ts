import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { PalisadeError } from '../../lib/core/errors.js';
import { clientFor, type ClusterClient } from './client.js';

export interface ConnectOptions {
  /** Explicit kubeconfig path (`--kubeconfig`). @default $KUBECONFIG, then ~/.kube/config */
  readonly kubeconfig?: string;
  /** Context to use. @default the kubeconfig's current-context */
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function readSources(kc: KubeConfig, source: string | undefined): void {
  if (!source) {
    kc.loadFromDefault();
    return;
  }
  const paths = source.split(delimiter).filter((p) => p && existsSync(p));
  const [first, ...rest] = paths;
  if (first === undefined) throw new Error(`file not found: ${source}`);
  kc.loadFromFile(first);
  for (const extra of rest) {
    const more = new KubeConfig();
    more.loadFromFile(extra);
    kc.mergeConfig(more);
  }
}

/** Loads a kubeconfig the way kubectl does (missing $KUBECONFIG entries are skipped). */
export function loadKubeConfig(opts: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const source = opts.kubeconfig ?? (opts.env ?? process.env)['KUBECONFIG'];
  const label = source ?? '(default)';
  try {
    readSources(kc, source);
    if (opts.context) kc.setCurrentContext(opts.context);
  } catch (cause) {
    throw new PalisadeError('KubeconfigInvalid', `Cannot load kubeconfig ${label}: ${(cause as Error).message}`, {
      hint: 'Pass --kubeconfig PATH or set KUBECONFIG to a valid kubeconfig (e.g. the one `palisade cluster up` prints).', cause,
    });
  }
  if (!kc.getCurrentCluster()) {
    throw new PalisadeError('KubeconfigInvalid', `Kubeconfig ${label} has no usable current context${opts.context ? ` "${opts.context}"` : ''}.`, {
      hint: 'Set current-context in the kubeconfig, or pass --context NAME.',
    });
  }
  return kc;
}

/** Loads the kubeconfig and checks that the API server answers; never writes anything. */
export async function connect(opts: ConnectOptions = {}): Promise<ClusterClient> {
  const client = clientFor(loadKubeConfig(opts));
  await assertReachable(client);
  return client;
}

export async function assertReachable(client: ClusterClient): Promise<void> {
  try {
    await client.list('v1', 'Namespace', { labelSelector: 'palisade.dev/probe=none' });
  } catch (cause) {
    throw new PalisadeError('ClusterUnreachable', `Cluster at ${client.server} is unreachable or refused the request: ${(cause as Error).message}`, {
      hint: 'Check that the cluster is running (`palisade cluster status` for the local one) and that the kubeconfig credentials are valid.', cause,
    });
  }
}
