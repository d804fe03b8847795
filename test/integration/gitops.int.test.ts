/**
 * GitOps integration: Argo CD and Flux objects accepted by the real API server with their upstream
 * CRDs (strict field validation); `palisade publish` against a local bare repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { listClusters, loadCluster, synthesize } from '../../lib/index.js';
import { definePolicies } from '../../policies/index.js';
import { Predictor } from '../../reconciler/observe/predict.js';
import { driftOf } from '../../reconciler/plan/diff.js';
import { loadGitOpsConfig } from '../../lib/gitops/config.js';
import { gitopsFiles } from '../../lib/gitops/write.js';
import { runCli } from '../support/cli.js';
import { statusOf, testClient, uniqueName } from '../support/cluster.js';
import { gitRepoOf, makeSource } from '../support/source.js';
import { REPO_ROOT } from '../support/shared.js';

const client = testClient();

describe('Argo CD and Flux objects', () => {
  it.skipIf(inject('clusterKind') === 'external')('are accepted by the API server with the upstream CRDs, strict', async () => {
    const config = (await loadGitOpsConfig(join(REPO_ROOT, 'palisade.yaml')))!;
    for (const layout of ['dist', 'rendered'] as const) {
      const objects = [...gitopsFiles({ ...config, layout }, await listClusters(join(REPO_ROOT, 'clusters'))).values()].flat();
      expect(objects.map((o) => o.kind).sort()).toEqual(['Application', 'Application', 'Application', 'ApplicationSet', 'GitRepository', 'GitRepository', 'GitRepository', 'Kustomization', 'Kustomization', 'Kustomization']);
      for (const ns of [config.argocd.namespace, config.flux.namespace]) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      const rejected = [];
      for (const o of objects) {
        const r = await statusOf(() => client.apply(o, { dryRun: true }));
        if (r.status !== 200) rejected.push(r.message);
      }
      expect(rejected).toEqual([]);
    }
  });
});

describe('synthesized objects need no ignoreDifferences', () => {
  it.each(['local', 'prod-cilium', 'prod-calico'])('%s: the API server stores every declared field exactly as synthesized', async (name) => {
    const { objects } = synthesize(definePolicies, await loadCluster(join(REPO_ROOT, 'clusters'), name));
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) await client.apply(ns);
    const predictor = new Predictor(client);
    const changed: string[] = [];
    for (const o of objects) {
      const stored = await predictor.predict(o);
      // merge mode: only declared fields count; a server default added beside them is not a diff for Argo CD.
      for (const f of driftOf(o, stored!, 'merge')) changed.push(`${o.kind}/${o.metadata.name} ${f.pointer}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`);
    }
    expect(changed).toEqual([]);
  });
});

const git = (dir: string, ...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();

async function repoWithRemote(): Promise<{ dir: string; bare: string; cluster: string }> {
  const { dir, cluster } = await makeSource(uniqueName('p'));
  const bare = gitRepoOf(dir);
  git(dir, 'remote', 'add', 'origin', bare);
  return { dir, bare, cluster };
}

describe('palisade publish', () => {
  it('commits exactly the synthesized tree, only when it changed, naming the source commit', async () => {
    const { dir, bare, cluster } = await repoWithRemote();
    const first = await runCli(['publish'], {}, dir);
    expect(first.code, first.stderr).toBe(0);
    const source = git(dir, 'rev-parse', 'HEAD');
    expect(first.stdout).toMatch(new RegExp(`committed [0-9a-f]{12} to rendered \\(source ${source.slice(0, 12)}`));
    const tree = git(bare, 'ls-tree', '-r', '--name-only', 'rendered').split('\n');
    const synth = await runCli(['synth', '-o', `${dir}-out`], {}, dir);
    expect(synth.code).toBe(0);
    const expected = execFileSync('ls', [join(`${dir}-out`, cluster)], { encoding: 'utf8' }).trim().split('\n').map((f) => `${cluster}/${f}`);
    expect(tree).toEqual(expected.sort());
    expect(git(bare, 'log', '-1', '--format=%B', 'rendered')).toContain(`Source-Commit: ${source}`);
    const head = git(bare, 'rev-parse', 'rendered');

    const again = await runCli(['publish'], {}, dir);
    expect(again.stdout).toMatch(/already holds the output .*: no commit/);
    expect(git(bare, 'rev-parse', 'rendered')).toBe(head);

    const policy = join(dir, 'policies', 'index.ts');
    execFileSync('sed', ['-i', 's/Port.tcp(8080)/Port.tcp(9090)/', policy]);
    git(dir, 'commit', '-qam', 'tool moves to 9090');
    const changed = await runCli(['publish'], {}, dir);
    expect(changed.code).toBe(0);
    expect(git(bare, 'rev-list', '--count', 'rendered')).toBe('2');
    expect(git(bare, 'log', '-1', '--format=%B', 'rendered')).toContain(`Source-Commit: ${git(dir, 'rev-parse', 'HEAD')}`);
    expect(git(bare, 'show', `rendered:${cluster}/networkpolicy.tools-${dir.split('/').at(-1)}.tool-ingress.yaml`)).toContain('port: 9090');
  });

  it('refuses a diverged branch and leaves the local repository as it was', async () => {
    const { dir } = await repoWithRemote();
    expect((await runCli(['publish'], {}, dir)).code).toBe(0);
    // A local "rendered" made from main: neither it nor the published branch contains the other.
    git(dir, 'branch', '-D', 'rendered');
    git(dir, 'checkout', '-q', '-b', 'rendered', 'main');
    writeFileSync(join(dir, 'stray.txt'), 'x');
    git(dir, 'add', 'stray.txt');
    git(dir, 'commit', '-qm', 'stray');
    git(dir, 'checkout', '-q', 'main');
    const before = [git(dir, 'rev-parse', 'HEAD'), git(dir, 'rev-parse', 'rendered'), git(dir, 'status', '--porcelain')];
    const r = await runCli(['publish'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Branch "rendered" has diverged/);
    expect([git(dir, 'rev-parse', 'HEAD'), git(dir, 'rev-parse', 'rendered'), git(dir, 'status', '--porcelain')]).toEqual(before);
  });

  it('reports a remote that refuses and leaves the local repository as it was', async () => {
    const { dir, bare } = await repoWithRemote();
    mkdirSync(join(bare, 'hooks'), { recursive: true });
    writeFileSync(join(bare, 'hooks', 'pre-receive'), '#!/bin/sh\necho "branch protection: pushes need review" >&2\nexit 1\n', { mode: 0o755 });
    const before = [git(dir, 'rev-parse', 'HEAD'), git(dir, 'branch', '--list'), git(dir, 'status', '--porcelain')];
    const r = await runCli(['publish'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/The remote .* refused the push to "rendered"/);
    expect([git(dir, 'rev-parse', 'HEAD'), git(dir, 'branch', '--list'), git(dir, 'status', '--porcelain')]).toEqual(before);
  });
});
