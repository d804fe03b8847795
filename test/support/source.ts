import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './shared.js';

/**
 * A policy repository for CLI tests, inside the checkout (so node_modules resolve) under
 * .palisade/test-sources/: lib/ is a copy of this repository's lib (the sandbox follows no link out
 * of a repository), policies/ and clusters/ are its own.
 */
export async function makeSource(suffix: string, opts: { readonly crossZone?: boolean } = {}): Promise<{ dir: string; cluster: string }> {
  const dir = join(REPO_ROOT, '.palisade', 'test-sources', suffix);
  const cluster = `cli-${suffix}`;
  await mkdir(join(dir, 'policies'), { recursive: true });
  await mkdir(join(dir, 'clusters', cluster), { recursive: true });
  await cp(join(REPO_ROOT, 'lib'), join(dir, 'lib'), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
  const zone2 = opts.crossZone ? "const other = new Zone(scope, 'other');\n  " : '';
  await writeFile(join(dir, 'policies', 'index.ts'), `import type { Construct } from 'constructs';
import { Agent, Port, Tool, Zone, type ClusterSpec } from '../lib/index.js';

export function definePolicies(scope: Construct, _cluster: ClusterSpec): void {
  const zone = new Zone(scope, 'z');
  ${zone2}const agent = new Agent(scope, 'agent', { namespace: 'agents-${suffix}', zone, podLabels: { app: 'agent' } });
  agent.allowTo(new Tool(scope, 'tool', { namespace: 'tools-${suffix}', zone: ${opts.crossZone ? 'other' : 'zone'}, podLabels: { app: 'tool' }, ports: [Port.tcp(8080)] }));
}
`);
  // Kyverno kinds: no other test touches them, unlike the fixed-name VAPs.
  await writeFile(join(dir, 'clusters', cluster, 'cluster.yaml'), 'network: kubernetes\nadmission: kyverno\n');
  return { dir, cluster };
}

/** Turns a source directory (everything in it) into a Git repository with one commit on main, and a bare clone of it. */
export function gitRepoOf(dir: string): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'policies');
  const bare = `${dir}.git`;
  execFileSync('git', ['clone', '-q', '--bare', dir, bare]);
  return bare;
}
