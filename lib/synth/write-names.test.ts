import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SynthResult } from './synthesize.js';
import { writeSynthOutput } from './write.js';

/** A result as the sandbox might return it: names are whatever the revision's code made them. */
const result = (cluster: string, name: string, namespace?: string): SynthResult => ({
  cluster: { name: cluster }, objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) } }],
} as unknown as SynthResult);

describe('writeSynthOutput with names from policy code', () => {
  it('refuses a cluster or object name that would write outside the output folder, and writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'palisade-out-'));
    await expect(writeSynthOutput(result('../escape', 'ok'), out)).rejects.toThrow(/cluster name "\.\.\/escape", which is not a single path segment/);
    await expect(writeSynthOutput(result('prod', '../../../etc/cron.d/x'), out)).rejects.toThrow(/ConfigMap\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x: metadata.name or namespace would make the file name/);
    await expect(writeSynthOutput(result('prod', 'x', 'a/b'), out)).rejects.toThrow(/outside the output folder/);
    expect(readdirSync(out)).toEqual([]);
    await writeSynthOutput(result('prod', 'fine'), out);
    expect(readdirSync(join(out, 'prod')).sort()).toEqual(['configmap.fine.yaml', 'kustomization.yaml', 'palisade-index.json']);
  });
});
