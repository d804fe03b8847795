/**
 * The Kyverno CLI (kyverno v1.18.2, built from the Go module proxy and cached like the control
 * plane) judges the synthesized Kyverno ValidatingPolicies of prod-calico offline: which sample
 * pods and workloads they deny, requests made as an agent's ServiceAccount included (`--userinfo`).
 * Image signatures (ImageValidatingPolicy) need the registry and are not evaluated here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../lib/core/progress.js';
import { loadCluster, synthesize, type KubeObject } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { ensureBinary, kyvernoSpec } from '../../reconciler/controlplane/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);

const pod = (name: string, labels: Record<string, string>, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'agents', labels }, spec: { containers: [{ name: 'a', image: 'ghcr.io/acme/research:1.0' }], ...spec },
});
const job = (name: string, sa: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'agents' },
  spec: { template: { metadata: { labels }, spec: { serviceAccountName: sa, runtimeClassName: 'gvisor', restartPolicy: 'Never', containers: [{ name: 'a', image: 'ghcr.io/acme/agents/worker:1.0' }] } } },
});
const research = { app: 'research-agent' };
const coding = { app: 'coding-agent' };

/** Sample requests and the palisade policies that must deny each (empty: admitted). */
const CASES: ReadonlyArray<{ readonly object: KubeObject; readonly user?: string; readonly denied: readonly string[] }> = [
  { object: pod('borrowed-labels', research, { serviceAccountName: 'tool-runner' }), denied: ['palisade-identity-agents-research-agent'] },
  { object: pod('borrowed-sa', { app: 'other' }, { serviceAccountName: 'research-agent' }), denied: ['palisade-identity-agents-research-agent'] },
  { object: pod('research-ok', research, { serviceAccountName: 'research-agent' }), denied: [] },
  { object: pod('research-docker', research, { serviceAccountName: 'research-agent', containers: [{ name: 'a', image: 'docker.io/library/python:3.12' }] }), denied: ['palisade-registry-acme-images'] },
  { object: pod('coding-no-sandbox', coding, { serviceAccountName: 'coding-agent', containers: [{ name: 'a', image: 'ghcr.io/acme/agents/coder:1.0' }] }), denied: ['palisade-sandbox-gvisor'] },
  { object: pod('coding-plain-registry', coding, { serviceAccountName: 'coding-agent', runtimeClassName: 'gvisor', containers: [{ name: 'a', image: 'ghcr.io/acme/tools:1.0' }] }), denied: ['palisade-registry-acme-signed-images'] },
  { object: pod('coding-ok', coding, { serviceAccountName: 'coding-agent', runtimeClassName: 'gvisor', containers: [{ name: 'a', image: 'ghcr.io/acme/agents/coder:1.0' }] }), denied: [] },
  // A bystander runs as `default`, which no agent is: the namespace's spawn rule fails closed on it too.
  { object: pod('privileged', { app: 'bystander' }, { initContainers: [{ name: 'i', image: 'x', securityContext: { privileged: true } }] }), denied: ['palisade-agent-guardrails', 'palisade-agent-spawn-agents'] },
  { object: pod('as-default', { app: 'bystander' }, {}), denied: ['palisade-agent-spawn-agents'] },
  { object: pod('as-new-sa', { app: 'helper' }, { serviceAccountName: 'helper' }), user: 'system:serviceaccount:agents:research-agent', denied: ['palisade-agent-spawn-agents'] },
  { object: job('job-as-research', 'research-agent', research), user: 'system:serviceaccount:agents:coding-agent', denied: ['palisade-agent-spawn-agents'] },
  { object: job('job-as-self', 'coding-agent', coding), user: 'system:serviceaccount:agents:coding-agent', denied: [] },
  {
    object: { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc-as-research', namespace: 'agents' }, spec: { selector: research, template: { metadata: { labels: research }, spec: { serviceAccountName: 'research-agent', containers: [{ name: 'a', image: 'ghcr.io/acme/x:1' }] } } } },
    user: 'system:serviceaccount:agents:coding-agent', denied: ['palisade-agent-spawn-agents'],
  },
];

interface Report { readonly results?: ReadonlyArray<{ readonly policy: string; readonly result: string; readonly resources: ReadonlyArray<{ readonly name: string }> }> }

describe.skipIf(skipWithout('go'))('the Kyverno CLI as an oracle for the synthesized ValidatingPolicies (prod-calico)', () => {
  it('denies exactly the requests palisade means to deny, with the policy that should', async () => {
    const kyverno = await ensureBinary(kyvernoSpec(), { progress: silentProgress });
    const { objects } = synthesize(definePolicies, await loadCluster(join(REPO_ROOT, 'clusters'), 'prod-calico'));
    const dir = await mkdtemp(join(tmpdir(), 'palisade-kyverno-'));
    const policies = objects.filter((o) => o.kind === 'ValidatingPolicy');
    expect(policies.length).toBeGreaterThan(5);
    await writeFile(join(dir, 'policies.yaml'), policies.map((o) => dump(o, { noRefs: true })).join('---\n'));
    // Offline, the CLI knows namespaces' labels only from a values file: the synthesized Namespaces' own.
    const namespaceSelector = objects.filter((o) => o.kind === 'Namespace').map((o) => ({ name: o.metadata.name, labels: { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name } }));
    await writeFile(join(dir, 'values.yaml'), dump({ apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'Value', metadata: { name: 'values' }, namespaceSelector }));
    const verdicts: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const [i, c] of CASES.entries()) {
      const resource = join(dir, `r${i}.yaml`);
      await writeFile(resource, dump(c.object));
      // Every admission request has a user: a human unless the case is made as an agent.
      await writeFile(join(dir, `u${i}.yaml`), dump({ apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'UserInfo', metadata: { name: 'u' }, userInfo: { username: c.user ?? 'alice@example.com' } }));
      const args = ['apply', join(dir, 'policies.yaml'), '--resource', resource, '-f', join(dir, 'values.yaml'), '--userinfo', join(dir, `u${i}.yaml`), '-p', '--output-format', 'json'];
      // `kyverno apply` exits non-zero when a policy fails; the report on stdout is the verdict.
      const out = await run(kyverno, args, { maxBuffer: 16 * 1024 * 1024 }).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
      const report = JSON.parse(out.slice(out.indexOf('{'))) as Report;
      verdicts[c.object.metadata.name] = (report.results ?? []).filter((r) => r.result === 'fail' || r.result === 'error').map((r) => `${r.policy}:${r.result}`).sort();
      expected[c.object.metadata.name] = c.denied.map((p) => `${p}:fail`);
    }
    expect(verdicts).toEqual(expected);
  }, 1_800_000);
});
