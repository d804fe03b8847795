/**
 * Attacker (d): someone who can push a commit or a tag to the policy repository, but holds no
 * signing key the rules name. Each case is a real repository served by path, real commits and
 * tags, `palisade reconcile` as the operator runs it and the real API server; each failed before
 * the gate was rebuilt (see reconciler/gate/admit.ts) and must fail closed now: exit non-zero,
 * nothing applied, the applied revision left in place.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readAppliedRevision } from '../../reconciler/inventory/revision-record.js';
import { freePort } from '../../reconciler/controlplane/index.js';
import { runCli } from '../support/cli.js';
import { eventually, testClient } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';
import { commit, gitIn, signedRepo, touchPolicies, type SignedRepo } from '../support/signed-repo.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

const reconcile = (r: SignedRepo, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli(['reconcile', '--once', '--git', r.bare, '--ref', 'main', '-c', r.cluster, '--kubeconfig', kubeconfig(), ...extra]);

/** Applied from the first commit (the operator's bootstrap); returns it. */
async function bootstrapped(r: SignedRepo): Promise<void> {
  const ok = await reconcile(r, '--trust-revision', r.first);
  expect(ok.code, ok.stderr).toBe(0);
  expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(r.first);
}

const toolPort = async (r: SignedRepo): Promise<unknown> => {
  const np = await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: r.namespace.replace(/^agents-/, 'tools-'), name: 'tool-ingress' });
  return (np?.['spec'] as { ingress?: Array<{ ports: Array<{ port: number }> }> } | undefined)?.ingress?.[0]?.ports[0]?.port;
};

const movePort = (r: SignedRepo): void => { execFileSync('sed', ['-i', 's/Port.tcp(8080)/Port.tcp(9090)/', join(r.dir, 'policies', 'index.ts')]); };

describe('attacker (d): one pushed commit or tag', () => {
  it('cannot pick its own baseline: a cluster with no applied revision is not trusted on first use', async () => {
    const r = await signedRepo();
    // The pusher's commit drops source.signatures; with no record, it used to be judged by its own palisade.yaml.
    writeFileSync(join(r.dir, 'palisade.yaml'), '# no rules\n');
    movePort(r);
    commit(r, undefined, 'unsigned: drop the rules');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cluster ${r.cluster} has no applied revision recorded: no revision is trusted on first use`);
    expect(refused.stderr).toContain('--trust-revision');
    expect(await readAppliedRevision(client, r.cluster)).toBeUndefined();
    expect(await toolPort(r)).toBeUndefined();
    // The operator bootstraps from the commit they reviewed: the unsigned head is judged by its rules.
    const judged = await reconcile(r, '--trust-revision', r.first);
    expect(judged.code).toBe(1);
    expect(judged.stderr).toMatch(/touches (palisade\.yaml|policies\/index\.ts) and is not signed/);
  }, 180_000);

  it('cannot rename its cluster or add a cluster folder that points at another one\'s context', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    // A new folder naming the same (default) context, and policy code that renames the cluster it is given.
    mkdirSync(join(r.dir, 'clusters', 'evil'), { recursive: true });
    writeFileSync(join(r.dir, 'clusters', 'evil', 'cluster.yaml'), 'network: kubernetes\nadmission: kyverno\n');
    writeFileSync(join(r.dir, 'palisade.yaml'), '# no rules\n');
    execFileSync('sed', ['-i', 's/^export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {$/&\\n  (_cluster as { name: string }).name = "evil";/', join(r.dir, 'policies', 'index.ts')]);
    commit(r, undefined, 'unsigned: rename');
    const all = await runCli(['reconcile', '--once', '--git', r.bare, '--ref', 'main', '--kubeconfig', kubeconfig()]);
    expect(all.code).toBe(1);
    // Every cluster is gated by the name the folder gives it: evil has no baseline.
    expect(all.stderr).toMatch(new RegExp(`cluster (evil has no applied revision recorded|${r.cluster}: unverified)`));
    const named = await reconcile(r);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('and is not signed');
    expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(r.first);
    expect(await readAppliedRevision(client, 'evil')).toBeUndefined();
  }, 180_000);

  it('refuses a synthesis that renames the cluster even when every commit is signed', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    execFileSync('sed', ['-i', 's/^export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {$/&\\n  (_cluster as { name: string }).name = "elsewhere";/', join(r.dir, 'policies', 'index.ts')]);
    commit(r, 'alice', 'signed, but renames the cluster in code');
    const refused = await reconcile(r);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`synthesis of cluster ${r.cluster} returned cluster "elsewhere": a revision may not rename the cluster it is applied to`);
    expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(r.first);
  }, 180_000);

  it('cannot roll the cluster back to a commit from before signatures existed', async () => {
    const r = await signedRepo();
    // History: C0, unsigned, no rules, the tool on 9090; then C1, signed by alice, adds the rules (8080).
    gitIn(r.dir, 'checkout', '-q', '--orphan', 'history');
    writeFileSync(join(r.dir, 'palisade.yaml'), '# before signatures\n');
    movePort(r);
    gitIn(r.dir, 'add', '-A');
    gitIn(r.dir, 'commit', '-q', '--no-gpg-sign', '-m', 'before signatures');
    const before = gitIn(r.dir, 'rev-parse', 'HEAD');
    gitIn(r.dir, 'checkout', '-q', r.first, '--', '.');
    const signed = commit(r, 'alice', 'signatures required');
    const ok = await reconcile(r, '--trust-revision', signed);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await toolPort(r)).toBe(8080);
    // The pusher force-pushes main back to C0: an ancestor, so from..to is empty.
    gitIn(r.dir, 'push', '-q', '--force', r.bare, `${before}:main`);
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is not a descendant of the applied revision ${signed.slice(0, 12)}`);
    // Even an operator who allows the rollback gets it judged by the applied revision's rules.
    const judged = await reconcile(r, '--allow-rollback');
    expect(judged.code).toBe(1);
    expect(judged.stderr).toContain(`commit ${before.slice(0, 12)} touches`);
    expect(judged.stderr).toContain('is not signed');
    expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(signed);
    expect(await toolPort(r)).toBe(8080);
  }, 180_000);

  it('judges the head even when it is the applied revision, and never reports an empty range as verified', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    const again = await reconcile(r);
    expect(again.code, again.stderr).toBe(0);
    expect(await readAppliedRevision(client, r.cluster)).toMatchObject({ revision: r.first, verified: true, signedBy: ['security'] });
  }, 180_000);

  it('cannot stand in for the branch with a tag named origin/main, and a tag named like the branch is refused as ambiguous', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    touchPolicies(r, 'signed');
    const branchHead = commit(r, 'alice', 'signed head of main');
    // An unsigned commit off the branch, reachable only through tags.
    gitIn(r.dir, 'checkout', '-q', '--detach');
    movePort(r);
    gitIn(r.dir, 'add', '-A');
    gitIn(r.dir, 'commit', '-q', '--no-gpg-sign', '-m', 'unsigned, tagged');
    gitIn(r.dir, 'push', '-q', r.bare, 'HEAD:refs/tags/origin/main');
    const ok = await reconcile(r);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(branchHead);
    expect(await toolPort(r)).toBe(8080);
    gitIn(r.dir, 'push', '-q', r.bare, 'HEAD:refs/tags/main');
    const ambiguous = await reconcile(r);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('Git ref "main" is both a branch and a tag');
  }, 180_000);

  it('protects a path git would quote (non-ASCII) by the rule that names it', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    // bob (platform) may sign "**" but not policies/**: the quoted form "policies/\303\251.ts" used to match only "**".
    writeFileSync(join(r.dir, 'policies', 'é.ts'), 'export const e = 1;\n');
    const byBob = commit(r, 'bob', 'platform adds a policy file with a non-ASCII name');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`commit ${byBob.slice(0, 12)} touches policies/é.ts and is signed by platform, outside the rule`);
  }, 180_000);

  it('treats lib/ as the code synthesis runs: a lib/ change needs the signers of policies/', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    writeFileSync(join(r.dir, 'lib', 'backdoor.ts'), 'export const x = 1;\n');
    const byBob = commit(r, 'bob', 'platform edits lib/');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`commit ${byBob.slice(0, 12)} touches lib/backdoor.ts and changes the code synthesis runs, which the rule of policies/index.ts protects`);
  }, 180_000);
});

describe('attacker (c) after review: the output applied is the output reviewed (--require-digest)', () => {
  it('applies a revision only when its head commit records the digest palisade diff showed, and refuses any other output', async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    movePort(r);
    commit(r, 'alice', 'tool to 9090, no reviewed digest');
    const none = await reconcile(r, '--require-digest');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`cluster ${r.cluster}: revision`);
    expect(none.stderr).toContain('records no reviewed output digest');
    expect(await toolPort(r)).toBe(8080);
    // The reviewer's digest, as palisade diff prints it, recorded in a signed merge commit's trailer.
    const reviewed = await runCli(['diff', '--base', r.first, '--head', 'HEAD', '--source', r.dir, '-c', r.cluster, '--format', 'json']);
    const digest = (JSON.parse(reviewed.stdout) as { clusters: Array<{ digest: string }> }).clusters[0]!.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(r.dir, 'NOTES.md'), 'reviewed\n');
    commit(r, 'alice', `merge reviewed change\n\nPalisade-Digest: ${r.cluster} ${digest}`);
    const ok = await reconcile(r, '--require-digest');
    expect(ok.code, ok.stderr).toBe(0);
    expect(await toolPort(r)).toBe(9090);
    // A later change carrying the old trailer renders something else: refused.
    execFileSync('sed', ['-i', 's/Port.tcp(9090)/Port.tcp(9191)/', join(r.dir, 'policies', 'index.ts')]);
    commit(r, 'alice', `sneak 9191 in\n\nPalisade-Digest: ${r.cluster} ${digest}`);
    const other = await reconcile(r, '--require-digest');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(new RegExp(`renders sha256:[0-9a-f]{64}, but the head commit records ${digest} as reviewed`));
    expect(await toolPort(r)).toBe(9090);
  }, 240_000);
});

describe('attacker (d) against reconcile --watch: the reconciler keeps enforcing the applied revision', () => {
  it('starts on the applied revision when the head is refused, and stays up through refusals of every kind', { timeout: 300_000 }, async () => {
    const r = await signedRepo();
    await bootstrapped(r);
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: r.namespace.replace(/^agents-/, 'tools-'), name: 'tool-ingress' };
    // A signed head that the sandbox refuses (a link to the process environment), and drift to correct.
    symlinkSync('/proc/self/environ', join(r.dir, 'policies', 'env.json'));
    commit(r, 'alice', 'signed, but links out of the repository');
    await client.delete(ingress);
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/palisade.js'), 'reconcile', '--watch', '--git', r.bare, '--ref', 'main', '-c', r.cluster, '--kubeconfig', kubeconfig(), '--listen', `127.0.0.1:${port}`, '--poll-interval', '1s'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    child.stderr?.on('data', (d: Buffer) => { logs += d.toString(); });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const metrics = (): Promise<string> => fetch(`http://127.0.0.1:${port}/metrics`).then((x) => x.text(), () => '');
    const refusals = (reason: string): RegExp => new RegExp(`palisade_revisions_refused_total\\{cluster="${r.cluster}",reason="${reason}"\\} 1`);
    try {
      // The applied (first) revision is enforced: the deleted policy comes back on 8080.
      await eventually(() => toolPort(r), (p) => p === 8080, 90_000);
      await eventually(metrics, (m) => refusals('synthesis').test(m), 30_000);
      expect(logs).toContain('is a symlink to');
      // An unsigned commit on top: refused by signature; the reconciler is still up and enforcing.
      rmSync(join(r.dir, 'policies', 'env.json'));
      movePort(r);
      commit(r, undefined, 'unsigned: tool to 9090');
      await eventually(metrics, (m) => refusals('signature').test(m), 60_000);
      await client.delete(ingress);
      await eventually(() => toolPort(r), (p) => p === 8080, 60_000);
      expect(exited).toBe(false);
      expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(r.first);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logs.slice(-4000)}`);
    } finally {
      const done = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      if (!exited) await done;
    }
  });
});
