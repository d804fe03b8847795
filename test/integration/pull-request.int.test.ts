/**
 * Attacker (c): a contributor who opens a pull request but cannot merge. Each weakening goes
 * through `palisade diff` as the policy-review workflow runs it (base = the committed template,
 * head = the edited working tree): a high finding and exit 1 without the approval label; the
 * reverse change, where there is one, passes (exit 0).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { edit, gitAt, scratchRepo } from '../support/scratch-repo.js';

interface Found { readonly risk: string; readonly kind: string; readonly message: string }
interface Reviewed { readonly code: number; readonly findings: Found[]; readonly stderr: string }

/** `palisade diff --base HEAD -c local -f json` in `repo`: exit code and every finding (clusters and repository). */
async function diff(repo: string, ...extra: string[]): Promise<Reviewed> {
  const r = await runCli(['diff', '--base', 'HEAD', '-c', 'local', '--format', 'json', ...extra], {}, repo);
  if (r.code === 2) return { code: 2, findings: [], stderr: r.stderr };
  const review = JSON.parse(r.stdout) as { rules: Found[]; clusters: Array<{ findings: Found[] }> };
  return { code: r.code, findings: [...review.rules, ...review.clusters.flatMap((c) => c.findings)], stderr: r.stderr };
}

const high = (r: Reviewed): string[] => r.findings.filter((f) => f.risk === 'high').map((f) => f.kind);

describe('attacker (c): a pull request', () => {
  it('cannot change the code synthesis runs without approval (lib/render, even a comment)', async () => {
    const repo = await scratchRepo();
    await edit(repo, 'lib/render/admission/cel.ts', '/** CEL building blocks', '// harmless?\n/** CEL building blocks');
    const r = await diff(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.filter((f) => f.kind === 'synthesis-code-changed').map((f) => f.message)).toEqual([expect.stringContaining('lib/render/admission/cel.ts')]);
    const approved = await diff(repo, '--label', 'security-approved');
    expect(approved.code).toBe(0);
  }, 300_000);

  it('cannot add a trusted group in cluster.yaml without approval: the rendered protect policy says so too', async () => {
    const repo = await scratchRepo();
    await edit(repo, 'clusters/local/cluster.yaml', 'runtime: none\n', 'runtime: none\nprotect:\n  groups: [system:masters, contractors]\n');
    const r = await diff(repo);
    expect(r.code).toBe(1);
    expect(high(r)).toEqual(expect.arrayContaining(['cluster-config-changed', 'trust-widened']));
    expect(r.findings.find((f) => f.kind === 'trust-widened')?.message).toMatch(/palisade-protect-local now trusts contractors/);
  }, 300_000);

  it('cannot switch an agent to a wider registry allow-list without approval, and may narrow it', async () => {
    const wide = await scratchRepo();
    await edit(wide, 'policies/controls.ts', "prefixes: ['ghcr.io/acme/', 'registry.internal.acme.example/']", "prefixes: ['ghcr.io/', 'registry.internal.acme.example/']");
    const r = await diff(wide);
    expect(r.code).toBe(1);
    expect(r.findings.filter((f) => f.kind === 'registry-widened' && f.risk === 'high').map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/palisade-registry-acme-images now admits images from ghcr\.io\//)]));

    const narrow = await scratchRepo();
    await edit(narrow, 'policies/controls.ts', "prefixes: ['ghcr.io/acme/', 'registry.internal.acme.example/']", "prefixes: ['ghcr.io/acme/']");
    const n = await diff(narrow);
    expect(n.findings.filter((f) => f.risk === 'high' || f.risk === 'medium')).toEqual([]);
    expect(n.code, n.stderr).toBe(0);
  }, 300_000);

  it('cannot rename a cluster folder to reset the review', async () => {
    const repo = await scratchRepo();
    await gitAt(repo, ['mv', 'clusters/local', 'clusters/local2']);
    await edit(repo, 'clusters/local2/cluster.yaml', 'name: local\n', 'name: local2\n');
    const r = await runCli(['diff', '--base', 'HEAD', '--format', 'json'], {}, repo);
    expect(r.code).toBe(1);
    const review = JSON.parse(r.stdout) as { rules: Found[] };
    expect(review.rules.filter((f) => f.kind === 'cluster-config-changed').map((f) => f.message)).toEqual([expect.stringMatching(/clusters\/local\/cluster\.yaml.*clusters\/local2\/cluster\.yaml|clusters\/local2\/cluster\.yaml.*clusters\/local\/cluster\.yaml/)]);
  }, 300_000);
});
