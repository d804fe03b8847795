import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from '../../lib/analysis/index.js';
import type { KubeObject } from '../../lib/core/resource-id.js';
import type { GoBinarySpec } from '../../reconciler/controlplane/index.js';
import { REPO_ROOT } from './shared.js';

/** The Cilium release whose policy engine judges palisade's output (matches the vendored 1.19 CRDs). */
export const CILIUM_ORACLE_VERSION = '1.19.4';

const PROGRAM_DIR = join(REPO_ROOT, 'test', 'oracles', 'cilium-verdict');

/** test/oracles/cilium-verdict: a small Go program over github.com/cilium/cilium/pkg/policy. */
export function ciliumVerdictSpec(): GoBinarySpec {
  const program = Object.fromEntries(['go.mod', 'go.sum', 'main.go'].map((f) => [f, readFileSync(join(PROGRAM_DIR, f), 'utf8')]));
  return {
    name: 'cilium-verdict', version: CILIUM_ORACLE_VERSION, module: { path: 'github.com/cilium/cilium', version: `v${CILIUM_ORACLE_VERSION}` },
    pkg: '.', replaces: [], linkVars: {}, program,
  };
}

/**
 * The labels of a workload's security identity as the Cilium agent derives them from the pod and
 * its namespace (written from Cilium's documentation, not from palisade's analyser): every pod
 * label with source `k8s`, the namespace, the namespace's labels under
 * `io.cilium.k8s.namespace.labels.`, the ServiceAccount and the cluster name.
 */
export function identityLabels(w: Workload, cluster = 'default'): string[] {
  return [
    ...Object.entries(w.labels).map(([k, v]) => `k8s:${k}=${v}`),
    `k8s:io.kubernetes.pod.namespace=${w.namespace}`,
    ...Object.entries(w.nsLabels).map(([k, v]) => `k8s:io.cilium.k8s.namespace.labels.${k}=${v}`),
    `k8s:io.cilium.k8s.policy.serviceaccount=${w.serviceAccount}`,
    `k8s:io.cilium.k8s.policy.cluster=${cluster}`,
  ].sort();
}

export interface OracleFlow { readonly from: string; readonly to: string; readonly proto: 'TCP' | 'UDP'; readonly port: number }
/** Cilium's verdict at each end; `…L7`: the allowing entry redirects to the L7 proxy (HTTP or DNS rules). */
export interface OracleVerdict { readonly egress: boolean; readonly ingress: boolean; readonly egressL7: boolean; readonly ingressL7: boolean }

interface OracleInput {
  readonly policies: readonly KubeObject[];
  readonly endpoints: ReadonlyArray<{ name: string; labels: string[] }>;
  readonly flows: readonly OracleFlow[];
  readonly labelFilters?: ReadonlyArray<{ labels: readonly string[]; keys: readonly string[] }>;
}

function runOracle(binary: string, input: OracleInput): Promise<{ verdicts: OracleVerdict[]; labelFilters: boolean[][] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`cilium-verdict exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as { verdicts: OracleVerdict[]; labelFilters: boolean[][] });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** Asks Cilium's policy engine for each flow's verdict (egress at the source, ingress at the destination). */
export async function ciliumVerdicts(binary: string, input: Omit<OracleInput, 'labelFilters'>): Promise<OracleVerdict[]> {
  return (await runOracle(binary, input)).verdicts;
}

/**
 * Asks the agent's identity-label filter (pkg/labelsfilter, configured from a cilium-config
 * `labels` value split on whitespace, as the agent reads it) which keys stay identity labels.
 */
export async function ciliumKeptLabels(binary: string, configured: string, keys: readonly string[]): Promise<boolean[]> {
  const labels = configured.split(/\s+/).filter((x) => x !== '');
  return (await runOracle(binary, { policies: [], endpoints: [], flows: [], labelFilters: [{ labels, keys }] })).labelFilters[0]!;
}
