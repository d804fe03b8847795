/**
 * Signed revisions (issue 15), with real Git and offline SSH signing (`gpg.format=ssh`, keys made
 * by ssh-keygen here): `reconcile --once --git` applies a revision signed as palisade.yaml's
 * `source.signatures` requires, refuses an unsigned one, one signed by a key outside the rule for
 * a protected path even when the head is signed by an allowed key, and one signed by an unknown
 * key; a refused revision writes nothing; `palisade drift` says which revision is live and whether
 * it was verified.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readAppliedRevision } from '../../reconciler/inventory/revision-record.js';
import { freePort } from '../../reconciler/controlplane/index.js';
import { runCli } from '../support/cli.js';
import { eventually, testClient } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';
import { commit, gitIn, signedRepo, touchPolicies, type SignedRepo as Repo } from '../support/signed-repo.js';

const client = testClient();
const kubeconfig = (): string => inject('kubeconfig');

/** `reconcile --once` of main, the cluster bootstrapped from the repository's first commit (used only while no revision is recorded). */
const reconcile = (r: Repo): ReturnType<typeof runCli> => runCli(['reconcile', '--once', '--git', r.bare, '--ref', 'main', '-c', r.cluster, '--kubeconfig', kubeconfig(), '--trust-revision', r.first]);

describe('signed revisions (reconcile --once --git)', () => {
  it('applies a revision signed as required, and drift says it is live and verified', async () => {
    const r = await signedRepo();
    const head = gitIn(r.dir, 'rev-parse', 'HEAD');
    const applied = await reconcile(r);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: r.namespace })).toBeDefined();
    expect(await readAppliedRevision(client, r.cluster)).toMatchObject({ revision: head, verified: true, signedBy: ['security'] });
    const drift = await runCli(['drift', '--git', r.bare, '--ref', 'main', '-c', r.cluster, '--kubeconfig', kubeconfig()]);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toContain(`live revision: ${head.slice(0, 12)} (signatures verified, signed by security)`);
  }, 180_000);

  it('refuses an unsigned commit touching policies/, writes nothing, and stays on the last applied revision', async () => {
    const r = await signedRepo();
    const first = gitIn(r.dir, 'rev-parse', 'HEAD');
    expect((await reconcile(r)).code).toBe(0);
    touchPolicies(r, 'unsigned edit');
    const unsigned = commit(r, undefined, 'unsigned');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`commit ${unsigned.slice(0, 12)} touches policies/index.ts and is not signed; it needs signers security (rule clusters/**, policies/**, palisade.yaml)`);
    expect(refused.stderr).toContain('nothing applied');
    expect(refused.stderr).not.toMatch(/^\s+(created|configured|pruned) /m);
    expect((await readAppliedRevision(client, r.cluster))?.revision).toBe(first);
  }, 180_000);

  it('refuses a commit signed outside the rule for a protected path even when the head is signed by an allowed key', async () => {
    const r = await signedRepo();
    expect((await reconcile(r)).code).toBe(0);
    touchPolicies(r, 'bob edits policies');
    const byBob = commit(r, 'bob', 'platform edits policies');
    writeFileSync(join(r.dir, 'NOTES.md'), 'release notes\n');
    commit(r, 'alice', 'security signs the head');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`commit ${byBob.slice(0, 12)} touches policies/index.ts and is signed by platform, outside the rule; it needs signers security`);
  }, 180_000);

  it('accepts an unprotected path signed by another allowed group, and refuses an unknown key', async () => {
    const r = await signedRepo();
    expect((await reconcile(r)).code).toBe(0);
    writeFileSync(join(r.dir, 'NOTES.md'), 'by bob\n');
    const byBob = commit(r, 'bob', 'platform edits notes');
    const ok = await reconcile(r);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readAppliedRevision(client, r.cluster))).toMatchObject({ revision: byBob, verified: true, signedBy: ['platform'] });

    touchPolicies(r, 'mallory');
    const byMallory = commit(r, 'mallory', 'mallory');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`commit ${byMallory.slice(0, 12)} touches policies/index\\.ts and is signed by a key no signer group holds \\(SHA256:[A-Za-z0-9+/]+\\)`));
  }, 180_000);

  it('judges a change of the rules by the rules it changes: dropping source.signatures unsigned is refused', async () => {
    const r = await signedRepo();
    expect((await reconcile(r)).code).toBe(0);
    writeFileSync(join(r.dir, 'palisade.yaml'), '# signatures? no thanks\n');
    const drop = commit(r, undefined, 'drop the rules');
    const refused = await reconcile(r);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`commit ${drop.slice(0, 12)} touches palisade.yaml and is not signed`);
  }, 180_000);
});

describe('signed revisions (reconcile --watch --git)', () => {
  it('stays on the last good revision when an unsigned one arrives, with a metric, an Event and a log line naming commit and path', { timeout: 240_000 }, async () => {
    const r = await signedRepo();
    const port = await freePort();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/palisade.js'), 'reconcile', '--watch', '--git', r.bare, '--ref', 'main', '-c', r.cluster, '--kubeconfig', kubeconfig(), '--listen', `127.0.0.1:${port}`, '--poll-interval', '1s', '--trust-revision', r.first], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    child.stderr?.on('data', (d: Buffer) => { logs += d.toString(); });
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: r.namespace.replace(/^agents-/, 'tools-'), name: 'tool-ingress' };
    const toolPort = async (): Promise<unknown> => ((await client.get(ingress))?.['spec'] as { ingress?: Array<{ ports: Array<{ port: number }> }> } | undefined)?.ingress?.[0]?.ports[0]?.port;
    try {
      await eventually(toolPort, (p) => p === 8080, 60_000);
      execFileSync('sed', ['-i', 's/Port.tcp(8080)/Port.tcp(9090)/', join(r.dir, 'policies', 'index.ts')]);
      const unsigned = commit(r, undefined, 'tool moves to 9090, unsigned');
      const refused = new RegExp(`palisade_revisions_refused_total\\{cluster="${r.cluster}",reason="signature"\\} 1`);
      await eventually(() => fetch(`http://127.0.0.1:${port}/metrics`).then((x) => x.text(), () => ''), (m) => refused.test(m), 60_000);
      const line = JSON.parse(logs.split('\n').find((l) => l.includes('revision refused')) ?? '{}') as { cluster?: string; commits?: unknown };
      expect(line).toMatchObject({ cluster: r.cluster, commits: [{ commit: unsigned, path: 'policies/index.ts' }] });
      const events = await client.list('v1', 'Event', { namespace: 'palisade-system', labelSelector: `palisade.dev/cluster=${r.cluster}` });
      expect(events.map((e) => [e['reason'], e['message']])).toEqual([['SignatureRejected', expect.stringContaining(`commit ${unsigned.slice(0, 12)} touches policies/index.ts and is not signed`)]]);
      expect(await toolPort()).toBe(8080);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- reconciler logs ---\n${logs.slice(-3000)}`);
    } finally {
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
