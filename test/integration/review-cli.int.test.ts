/** `palisade analyze`, `palisade diff` and the synth probe gate, run as a user would (CLI, exit codes). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { goModuleDir, netpolicySpec } from '../../reconciler/controlplane/index.js';

import { gitAt, scratchRepo } from '../support/scratch-repo.js';

/** A scratch repository whose working tree has `from` replaced by `to` in policies/index.ts. */
async function editedRepo(from: string, to: string): Promise<string> {
  const repo = await scratchRepo();
  const policies = join(repo, 'policies', 'index.ts');
  const text = await readFile(policies, 'utf8');
  expect(text).toContain(from);
  await writeFile(policies, text.replace(from, to));
  return repo;
}

describe('palisade analyze (CLI)', () => {
  it('prints the connlist of an oracle case exactly as netpol-analyzer does', async () => {
    const corpus = await goModuleDir(netpolicySpec().module);
    const r = await runCli(['analyze', join(corpus, 'tests', 'acs-security-demos')]);
    expect(r.code).toBe(0);
    const expected = await readFile(join(corpus, 'test_outputs', 'connlist', 'acs-security-demos_connlist_output.txt'), 'utf8');
    // netpolicy v1.4.4 prints IP peers without the `[External]` suffix palisade adds.
    expect(r.stdout.replaceAll('[External]', '').trim()).toBe(expected.trim());
    expect(r.stdout).toContain('{ingress-controller} => frontend/webapp[Deployment] : TCP 8080');
  }, 120_000);

  it('explains one pair of a synthesized cluster, naming the deciding rules', async () => {
    const r = await runCli(['analyze', '--cluster', 'local', '--from', 'agents/coding-agent', '--to', 'tools/mcp-tools']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agents\/coding-agent\[Deployment\] => tools\/mcp-tools\[Deployment\] : TCP 8080/);
    expect(r.stdout).toMatch(/ingress allow TCP 8080 +by NetworkPolicy\/tools\/mcp-tools-ingress spec\.ingress\[0\]/);
  }, 120_000);

  it('rejects unparsable manifests naming the file and line (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-analyze-'));
    await writeFile(join(dir, 'bad.yaml'), 'kind: NetworkPolicy\nmetadata: {name: x\n');
    const r = await runCli(['analyze', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: not valid YAML/);
  }, 120_000);

  it('rejects a policy with an invalid CIDR naming Kind/namespace/name and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-analyze-'));
    await writeFile(join(dir, 'np.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: a}\nspec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.300/8}\n');
    const r = await runCli(['analyze', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NetworkPolicy/a/x');
    expect(r.stderr).toContain('spec.egress[0].to[0].ipBlock');
  }, 120_000);
});

describe('palisade diff (CLI)', () => {
  it('reports a narrowing edit of the working tree against HEAD as a removed edge on every cluster (exit 0)', async () => {
    const repo = await editedRepo('.allowTo(s.mcpTools);\n  reach(org, research', ';\n  reach(org, research');
    const r = await runCli(['diff', '--base', 'HEAD', '--format', 'json'], {}, repo);
    expect(r.code).toBe(0);
    const review = JSON.parse(r.stdout) as { clusters: Array<{ cluster: string; edges: Array<{ change: string; before?: { src: string; dst: string } }>; findings: unknown[]; probes: Array<{ ok: boolean }> }> };
    expect(review.clusters.map((c) => c.cluster).sort()).toEqual(['local', 'prod-calico', 'prod-cilium']);
    for (const c of review.clusters) {
      expect(c.edges.map((e) => `${e.change} ${e.before?.src} => ${e.before?.dst}`), c.cluster).toContain('removed agents/research-agent[Deployment] => tools/mcp-tools[Deployment]');
      expect(c.edges.filter((e) => e.change !== 'removed'), c.cluster).toEqual([]);
      expect(c.probes.every((p) => p.ok), c.cluster).toBe(true);
    }
  }, 300_000);

  it('fails a weakening edit without the approval label (exit 1), naming what was weakened', async () => {
    const repo = await editedRepo(', sandbox: c.gvisor });', ' });');
    const r = await runCli(['diff', '--base', 'HEAD', '-c', 'local', '--format', 'json'], {}, repo);
    expect(r.code).toBe(1);
    const review = JSON.parse(r.stdout) as { clusters: Array<{ findings: Array<{ kind: string; risk: string; subject: string }> }> };
    expect(review.clusters[0]?.findings.map((f) => `${f.risk} ${f.kind} ${f.subject}`)).toEqual([
      'high sandbox-removed policies/coding-agent', 'high admission-weakened ValidatingAdmissionPolicyBinding/palisade-sandbox-gvisor',
    ]);
  }, 300_000);

  it('takes the review rules from the base: a PR that deletes review.approval and a probe still needs approval, and says why', async () => {
    const repo = await editedRepo(', sandbox: c.gvisor });', ' });');
    const config = join(repo, 'palisade.yaml');
    const text = await readFile(config, 'utf8');
    const stripped = text.replace('  approval: {label: security-approved}\n', '').replace(/    - name: the coding agent reaches its MCP tools\n(?:      .*\n)+?(?=    - name)/, '');
    expect(stripped).not.toMatch(/^\s*approval:/m);
    expect(stripped).not.toContain('reaches its MCP tools');
    await writeFile(config, stripped);
    const r = await runCli(['diff', '--base', 'HEAD', '-c', 'local', '--format', 'json'], {}, repo);
    expect(r.code, r.stderr).toBe(1);
    const review = JSON.parse(r.stdout) as { needsApproval: boolean; approval: { required?: string }; rules: Array<{ kind: string; risk: string; message: string }>; clusters: Array<{ probes: Array<{ probe: string }> }> };
    expect(review.needsApproval).toBe(true);
    expect(review.approval.required).toBe('security-approved');
    expect(review.rules.map((f) => `${f.risk} ${f.message}`)).toEqual([
      'high review rules changed: review.approval.label "security-approved" → (none) (this review uses the base\'s "security-approved")',
      'high review rules changed: probe "the coding agent reaches its MCP tools" removed (was agents/coding-agent → tools/mcp-tools TCP 8080 expect allow; still checked in this review)',
    ]);
    // The deleted probe is still evaluated.
    expect(review.clusters[0]?.probes.map((p) => p.probe)).toContain('the coding agent reaches its MCP tools');
    const txt = await runCli(['diff', '--base', 'HEAD', '-c', 'local'], {}, repo);
    expect(txt.stdout).toMatch(/approval "security-approved" required/);
    expect(txt.stdout).toMatch(/repository:\n {2}! \[high\] review rules changed: review\.approval\.label/);
    const approved = await runCli(['diff', '--base', 'HEAD', '-c', 'local', '--label', 'security-approved'], {}, repo);
    expect(approved.code, approved.stdout).toBe(0);
  }, 300_000);

  it('flags a change of palisade\'s review code as a review-rules finding', async () => {
    const repo = await scratchRepo();
    const file = join(repo, 'lib', 'review', 'reach.ts');
    await writeFile(file, `${await readFile(file, 'utf8')}\n// tweak\n`);
    const r = await runCli(['diff', '--base', 'HEAD', '-c', 'local', '--format', 'json'], {}, repo);
    expect(r.code).toBe(1);
    const review = JSON.parse(r.stdout) as { rules: Array<{ risk: string; subject: string }> };
    expect(review.rules.map((f) => `${f.risk} ${f.subject}`)).toEqual(['high lib/review/reach.ts']);
  }, 300_000);

  it('names the side, its revision and the construct when one side fails to synthesize (exit 2)', async () => {
    const repo = await scratchRepo();
    const policies = join(repo, 'policies', 'index.ts');
    await writeFile(policies, (await readFile(policies, 'utf8')).replace('Port.tcp(6333)', 'Port.tcp(70000)'));
    const worktree = await runCli(['diff', '--base', 'HEAD', '-c', 'local'], {}, repo);
    expect(worktree.code).toBe(2);
    expect(worktree.stderr).toMatch(/head \(working tree[^)]*\) does not synthesize/);
    expect(worktree.stderr).toMatch(/cluster local: policies\/index\.ts:\d+:\d+: Invalid port 70000/);
    await gitAt(repo, ['commit', '-qam', 'broken port']);
    const committed = await runCli(['diff', '--base', 'HEAD', '--head', 'HEAD~1', '-c', 'local'], {}, repo);
    expect(committed.code).toBe(2);
    expect(committed.stderr).toMatch(/base \(HEAD @ [0-9a-f]{12}\) does not synthesize/);
  }, 300_000);

  it('names the side and the ref when the base ref does not exist (exit 2)', async () => {
    const r = await runCli(['diff', '--base', 'no-such-ref-palisade']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/base \(no-such-ref-palisade\): Git ref "no-such-ref-palisade" does not exist/);
  }, 300_000);
});

describe('probes gate palisade synth', () => {
  it('fails synthesis, writing nothing, when a probe is violated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-probe-'));
    const config = join(dir, 'palisade.yaml');
    await writeFile(config, 'gitops: {repoURL: https://example.com/x.git}\nreview:\n  probes:\n    - {name: coding agent never reaches tools, from: agents/coding-agent, to: tools/mcp-tools, expect: deny}\n');
    const r = await runCli(['synth', '-c', 'local', '--config', config, '-o', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('local: "coding agent never reaches tools" expects deny but the policies allow');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 120_000);
});
