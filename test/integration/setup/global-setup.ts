/**
 * Starts one real control plane (etcd + kube-apiserver) for the whole integration run and installs
 * the upstream CRDs, or uses PALISADE_TEST_KUBECONFIG (e.g. a kind cluster on GitHub). The control
 * plane is tied to this process by a watchdog, so an interrupted run leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { streamProgress } from '../../../lib/core/progress.js';
import { clientFor } from '../../../reconciler/cluster/client.js';
import { loadKubeConfig } from '../../../reconciler/cluster/connect.js';
import { actionlintSpec, ensureBinary, installCrds, kyvernoSpec, netpolicySpec, startControlPlane, stopControlPlane } from '../../../reconciler/controlplane/index.js';
import { ciliumVerdictSpec } from '../../support/cilium-oracle.js';
import { skipWithout } from '../../support/tools.js';
import { upstreamCrdFiles } from '../../support/shared.js';
import { ensureBuilt } from '../../../scripts/build.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    /** `embedded` when this setup started the API server, `external` for PALISADE_TEST_KUBECONFIG. */
    clusterKind: 'embedded' | 'external';
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Policy repositories written by CLI tests (see test/support/source.ts).
  await rm(join(process.cwd(), '.palisade', 'test-sources'), { recursive: true, force: true });
  // The CLI runs palisade's compiled build/ (tests spawn bin/palisade.js): fresh before any test.
  await ensureBuilt({ log: (m) => process.stderr.write(`${m}\n`) });
  const progress = streamProgress(process.stderr, 10_000);
  const external = process.env['PALISADE_TEST_KUBECONFIG'];
  let dir: string | undefined;
  let kubeconfig: string;
  if (external) {
    kubeconfig = external;
  } else {
    dir = await mkdtemp(join(tmpdir(), 'palisade-it-'));
    const state = await startControlPlane({ name: 'integration', dir, ownerPid: process.pid, progress });
    kubeconfig = state.kubeconfig;
    process.stderr.write(`integration tests: real kube-apiserver v${state.versions.kubernetes} at ${state.server}\n`);
  }
  await installCrds(clientFor(loadKubeConfig({ kubeconfig })), upstreamCrdFiles(), progress);
  // The oracle tools, one Go build at a time (tests in parallel files would otherwise build them at once).
  if (!skipWithout('go')) for (const spec of [netpolicySpec(), actionlintSpec(), kyvernoSpec(), ciliumVerdictSpec()]) await ensureBinary(spec, { progress });
  project.provide('kubeconfig', kubeconfig);
  project.provide('clusterKind', external ? 'external' : 'embedded');
  return async () => {
    if (dir === undefined) return;
    await stopControlPlane(dir);
    await rm(dir, { recursive: true, force: true });
  };
}
