/**
 * The synthesis memo (reconciler/sandbox/memo.ts): an unchanged revision is read back instead of
 * synthesized again, and any change to what the sandbox reads (a policy file, a data file beside
 * it, a cluster.yaml) is synthesized afresh. A stale memo would make drift and reconcile act on
 * policies that are no longer in Git, so each input is changed once here and must show through.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeInSandbox, type SynthesisOutcome } from '../../reconciler/sandbox/index.js';
import { uniqueName } from '../support/cluster.js';
import { makeSource } from '../support/source.js';

const namesOf = (o: SynthesisOutcome): string[] => o.results.flatMap((r) => r.objects.map((x) => `${x.kind}/${x.metadata.namespace ?? ''}/${x.metadata.name}`)).sort();

async function synth(dir: string, cluster: string): Promise<SynthesisOutcome> {
  return synthesizeInSandbox({ source: dir, revision: 'local', names: [cluster] });
}

describe('the synthesis memo', () => {
  it('reads an unchanged revision back, equal to its synthesis, and synthesizes again after a policy edit', async () => {
    const suffix = uniqueName('memo');
    const { dir, cluster } = await makeSource(suffix);
    const first = await synth(dir, cluster);
    expect(first.remembered).toBe(false);
    const again = await synth(dir, cluster);
    expect(again.remembered).toBe(true);
    expect(again.results).toEqual(first.results);

    const file = join(dir, 'policies', 'index.ts');
    await writeFile(file, (await readFile(file, 'utf8')).replace(`namespace: 'agents-${suffix}'`, `namespace: 'edited-${suffix}'`));
    const edited = await synth(dir, cluster);
    expect(edited.remembered).toBe(false);
    expect(namesOf(edited).some((n) => n.includes(`/edited-${suffix}/`))).toBe(true);
    expect(namesOf(edited).some((n) => n.includes(`/agents-${suffix}/`))).toBe(false);
  }, 120_000);

  it('synthesizes again when a data file the policies read or the cluster.yaml changes', async () => {
    const suffix = uniqueName('memodata');
    const { dir, cluster } = await makeSource(suffix);
    const file = join(dir, 'policies', 'index.ts');
    await writeFile(join(dir, 'policies', 'agent.json'), JSON.stringify({ app: 'agent' }));
    const source = (await readFile(file, 'utf8'))
      .replace("import type { Construct } from 'constructs';", "import type { Construct } from 'constructs';\nimport { readFileSync } from 'node:fs';")
      .replace("podLabels: { app: 'agent' }", "podLabels: JSON.parse(readFileSync(new URL('./agent.json', import.meta.url), 'utf8')) as Record<string, string>");
    await writeFile(file, source);
    const first = await synth(dir, cluster);
    expect(first.remembered).toBe(false);
    expect((await synth(dir, cluster)).remembered).toBe(true);

    await writeFile(join(dir, 'policies', 'agent.json'), JSON.stringify({ app: 'renamed' }));
    const data = await synth(dir, cluster);
    expect(data.remembered).toBe(false);
    expect(JSON.stringify(data.results)).toContain('"app":"renamed"');

    await appendFile(join(dir, 'clusters', cluster, 'cluster.yaml'), 'runtime: tetragon\n');
    const spec = await synth(dir, cluster);
    expect(spec.remembered).toBe(false);
    expect(spec.results[0]!.cluster.runtime).toBe('tetragon');
    expect(data.results[0]!.cluster.runtime).not.toBe('tetragon');
  }, 120_000);

  it('is off with PALISADE_SYNTH_CACHE=off, and never remembers a failed synthesis', async () => {
    const { dir, cluster } = await makeSource(uniqueName('memooff'));
    await synth(dir, cluster);
    process.env['PALISADE_SYNTH_CACHE'] = 'off';
    try {
      expect((await synth(dir, cluster)).remembered).toBe(false);
    } finally {
      delete process.env['PALISADE_SYNTH_CACHE'];
    }

    // One cluster synthesizes, one is invalid: a partial result, returned with its error, is not remembered.
    await mkdir(join(dir, 'clusters', 'broken'), { recursive: true });
    await writeFile(join(dir, 'clusters', 'broken', 'cluster.yaml'), 'network: bogus\nadmission: vap\n');
    const partial = () => synthesizeInSandbox({ source: dir, revision: 'local', names: [cluster, 'broken'] });
    const once = await partial();
    expect(once.results.map((r) => r.cluster.name)).toEqual([cluster]);
    expect(once.errors.map((e) => e.message).join('\n')).toMatch(/broken/);
    expect((await partial()).remembered).toBe(false);
  }, 120_000);
});
