/**
 * The in-cluster image's file set runs (issue 16): a scratch directory with exactly what the
 * Dockerfile copies, production dependencies only (`npm ci --omit=dev`, from the npm cache the
 * suite's own `npm ci` filled), then `palisade --help` and `palisade reconcile --once --git` from
 * it against the test API server, as the container would run them. No Docker needed.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { testClient, uniqueName } from '../support/cluster.js';
import { REPO_ROOT } from '../support/shared.js';

const run = promisify(execFile);

/** Sources of the Dockerfile's COPY instructions (so the test follows the Dockerfile, not a list of its own). */
async function copiedPaths(): Promise<string[]> {
  const text = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  return text.split('\n').filter((l) => /^COPY\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
}

async function node(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['bin/palisade.js', ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('the Dockerfile\'s file set, production dependencies only', () => {
  it('runs --help and reconcile --once --git against the API server', async () => {
    const app = join(tmpdir(), uniqueName('palisade-image'));
    await mkdir(app, { recursive: true });
    for (const p of await copiedPaths()) await cp(join(REPO_ROOT, p), join(app, p), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
    // The Dockerfile's own build step (palisade compiled ahead with production dependencies only).
    const builds = (await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8')).split('\n').filter((l) => /^RUN node /.test(l));
    expect(builds.length).toBeGreaterThan(0);
    for (const l of builds) await run(process.execPath, l.trim().split(/\s+/).slice(2), { cwd: app });

    const help = await node(app, ['--help']);
    expect(help.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: palisade/);
    // Compiled at image build, not at run time (the container's root filesystem is read-only).
    expect(help.stderr).not.toMatch(/compiling/);

    // A policy repository as the reconciler pulls it: its own lib/, policies/ and clusters/.
    const suffix = uniqueName('img').slice(4);
    const repo = join(app, 'source');
    await cp(join(REPO_ROOT, 'lib'), join(repo, 'lib'), { recursive: true });
    await mkdir(join(repo, 'policies'), { recursive: true });
    await mkdir(join(repo, 'clusters', `image-${suffix}`), { recursive: true });
    await writeFile(join(repo, 'policies', 'index.ts'), `import type { Construct } from 'constructs';
import { Agent, Port, Tool, Zone, type ClusterSpec } from '../lib/index.js';

export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {
  const zone = new Zone(scope, 'z');
  new Agent(scope, 'agent', { namespace: 'agents-${suffix}', zone, podLabels: { app: 'agent' } })
    .allowTo(new Tool(scope, 'tool', { namespace: 'tools-${suffix}', zone, podLabels: { app: 'tool' }, ports: [Port.tcp(8080)] }));
}
`);
    // VAP, not Kyverno: the fixed-name cluster-scoped Kyverno policies belong to the CLI tests that
    // check drift in parallel; the fixed-name VAPs are only applied (never drift-checked) elsewhere.
    await writeFile(join(repo, 'clusters', `image-${suffix}`, 'cluster.yaml'), 'network: kubernetes\nadmission: vap\n');
    const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', PATH: process.env['PATH'] ?? '' };
    for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'policies']]) await run('git', args, { cwd: repo, env });
    await run('git', ['clone', '-q', '--bare', repo, `${repo}.git`]);

    const first = (await run('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    const r = await node(app, ['reconcile', '--once', '--git', `${repo}.git`, '--ref', 'main', '-c', `image-${suffix}`, '--kubeconfig', inject('kubeconfig'), '--trust-revision', first]);
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(r.code, r.stderr).toBe(0);
    // What it applied is there (a drift check here would race other files' writes of the shared guardrail VAP).
    const client = testClient();
    expect(await client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: `agents-${suffix}`, name: 'agent-egress' })).toBeDefined();
    expect(await client.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: `agents-${suffix}`, name: 'agent' })).toBeDefined();
  }, 300_000);
});
