import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';

/** Every file of a synthesized cluster directory, by name. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).sort()) out.set(f, await readFile(join(dir, f), 'utf8'));
  return out;
}

// Whole processes, as users and scripts run them.
describe('one flag vocabulary', () => {
  it('every command that reads policies takes --source, --git/--ref and -c/--cluster', async () => {
    for (const cmd of ['synth', 'analyze', 'install-manifests', 'drift', 'reconcile', 'doctor']) {
      const help = await runCli([cmd, '--help']);
      expect(help.code, cmd).toBe(0);
      for (const flag of ['--source <dir>', '--git <url>', '--ref <ref>', '-c, --cluster <name>']) expect(help.stdout, `${cmd} ${flag}`).toContain(flag);
    }
    const publish = await runCli(['publish', '--help']);
    for (const flag of ['--source <dir>', '--git <url>', '--ref <ref>']) expect(publish.stdout).toContain(flag);
    const diff = await runCli(['diff', '--help']);
    for (const flag of ['--base <ref>', '--head <ref>', '--source <dir>', '-c, --cluster <name>']) expect(diff.stdout).toContain(flag);
  }, 60_000);

  it('the deprecated --policies/--clusters print a notice and synthesize what --source does', async () => {
    const out = await mkdtemp(join(tmpdir(), 'palisade-flags-'));
    const old = await runCli(['synth', '--policies', 'policies/index.ts', '--clusters', 'clusters', '-c', 'local', '-o', join(out, 'old')]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain('palisade: --policies is deprecated: use --source DIR (DIR/policies/index.ts)');
    expect(old.stderr).toContain('palisade: --clusters is deprecated: use --source DIR (DIR/clusters)');
    const unified = await runCli(['synth', '--source', '.', '-c', 'local', '-o', join(out, 'new')]);
    expect(unified.code, unified.stderr).toBe(0);
    expect(unified.stderr).not.toContain('deprecated');
    const a = await tree(join(out, 'old', 'local'));
    expect(a.size).toBeGreaterThan(10);
    expect(await tree(join(out, 'new', 'local'))).toEqual(a);
  }, 120_000);

  it('--policies naming a directory reads its index.ts; a file that is no module is a clear error (exit 2)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'palisade-flags-'));
    const dir = await runCli(['synth', '--policies', 'policies', '-c', 'local', '-o', out]);
    expect(dir.code, dir.stderr).toBe(0);
    expect((await tree(join(out, 'local'))).size).toBeGreaterThan(10);
    const notModule = await runCli(['synth', '--policies', 'README.md', '-c', 'local', '-o', out]);
    expect(notModule.code).toBe(2);
    expect(notModule.stderr).toMatch(/README\.md is not a TypeScript or JavaScript module/);
  }, 120_000);

  it('--source names another repository: its policies and clusters, not the current directory', async () => {
    const here = await mkdtemp(join(tmpdir(), 'palisade-cwd-'));
    const r = await runCli(['synth', '--source', process.cwd(), '-c', 'local', '-o', join(here, 'dist')], {}, here);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^local: \d+ objects/);
    const missing = await runCli(['synth', '-c', 'local', '-o', join(here, 'dist2')], {}, here);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/policies\/index\.ts does not exist/);
  }, 120_000);
});
