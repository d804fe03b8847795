/**
 * Policy code is code (issue 15): `reconcile --once` synthesizes in a sandbox without cluster
 * credentials. Policy code that reads the kubeconfig or the ServiceAccount token, starts a process
 * to do it, looks for credentials in its environment, or never returns fails the revision with a
 * clear error (exit 2) and leaves the cluster untouched; the same repository without the hostile
 * line applies.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { testClient, uniqueName } from '../support/cluster.js';
import { makeSource } from '../support/source.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

/** A policy repository whose definePolicies runs `hostile` before declaring one agent. */
async function hostileSource(hostile: string, imports = ''): Promise<{ dir: string; cluster: string; namespace: string }> {
  const suffix = uniqueName('sbx');
  const { dir, cluster } = await makeSource(suffix);
  const file = join(dir, 'policies', 'index.ts');
  const original = readFileSync(file, 'utf8');
  const patched = `${imports}${original}`.replace('export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {\n', `export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {\n  ${hostile}\n`);
  expect(patched).toContain(hostile);
  await writeFile(file, patched);
  return { dir, cluster, namespace: `agents-${suffix}` };
}

async function reconcile(s: { dir: string; cluster: string }, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return runCli(['reconcile', '--once', '--source', s.dir, '-c', s.cluster, '--kubeconfig', kubeconfig()], env);
}

async function untouched(namespace: string): Promise<void> {
  expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })).toBeUndefined();
}

describe('the synthesis sandbox', () => {
  it('denies policy code the kubeconfig, naming the file, and writes nothing', async () => {
    const s = await hostileSource(`readFileSync(${JSON.stringify(kubeconfig())});`, "import { readFileSync } from 'node:fs';\n");
    const r = await reconcile(s);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policies\/index\.ts:\d+:\d+: Access to this API has been restricted/);
    expect(r.stderr).toContain(`the synthesis sandbox denied FileSystemRead to ${kubeconfig()}`);
    expect(r.stderr).not.toMatch(/created /);
    await untouched(s.namespace);
  }, 120_000);

  it('denies the ServiceAccount token and starting a process to read it', async () => {
    const token = await hostileSource("readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token');", "import { readFileSync } from 'node:fs';\n");
    const t = await reconcile(token);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('denied FileSystemRead to /var/run/secrets/kubernetes.io/serviceaccount/token');
    await untouched(token.namespace);

    const spawned = await hostileSource(`execFileSync('cat', [${JSON.stringify(kubeconfig())}]);`, "import { execFileSync } from 'node:child_process';\n");
    const p = await reconcile(spawned);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/the synthesis sandbox denied ChildProcess/);
    await untouched(spawned.namespace);
  }, 120_000);

  it('gives policy code an empty environment', async () => {
    const s = await hostileSource("if (Object.keys(process.env).some((k) => /KUBE|TOKEN|HOME|PATH/.test(k))) throw new Error(`credentials in env: ${Object.keys(process.env).join(',')}`);");
    const r = await reconcile(s, { KUBECONFIG: kubeconfig(), AWS_SECRET_ACCESS_KEY: 'x', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(r.stderr).not.toMatch(/credentials in env/);
    expect(r.code, r.stderr).toBe(0);
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: s.namespace })).toBeDefined();
  }, 120_000);

  it('stops policy code that never returns at the time limit', async () => {
    const s = await hostileSource('for (;;) { /* spin */ }');
    const r = await reconcile(s, { PALISADE_SYNTH_TIMEOUT: '3' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did not finish within 3 s and was stopped/);
    expect(r.stderr).toMatch(/PALISADE_SYNTH_TIMEOUT/);
    await untouched(s.namespace);
  }, 120_000);

  it('stops policy code that exhausts the heap limit', async () => {
    const s = await hostileSource('const hog: string[] = []; for (;;) hog.push("x".repeat(1 << 20) + String(hog.length));');
    const r = await reconcile(s, { PALISADE_SYNTH_MEMORY: '64', PALISADE_SYNTH_TIMEOUT: '60' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ran out of memory \(heap limit 64 MB\)/);
    await untouched(s.namespace);
  }, 120_000);
});
