import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { goModuleDir, netpolicySpec } from '../../reconciler/controlplane/index.js';
import { analyze, formatConnlist, readManifests, unsupportedKinds } from './index.js';
import { skipWithout } from '../../test/support/tools.js';

/**
 * Agreement with np-guard/netpol-analyzer (an analyser nobody here wrote) on every case of its
 * corpus that has a plain connlist expected output. Prints the rate and every disagreement.
 * The corpus is the module the `netpolicy` oracle binary is built from (`go mod download`, the
 * Go module cache), so it runs on every clone and matches the binary's version.
 */
let ROOT = '';

type Outcome = { case: string; status: 'agree' | 'disagree' | 'unsupported' | 'other-command'; detail: string };

async function runCase(name: string): Promise<Outcome> {
  const dir = join(ROOT, 'tests', name);
  if (!existsSync(dir)) return { case: name, status: 'other-command', detail: 'output of a --focus-conn run (no input dir of this name)' };
  const expected = readFileSync(join(ROOT, 'test_outputs', 'connlist', `${name}_connlist_output.txt`), 'utf8');
  const objects = await readManifests([dir]).catch((e: Error) => e);
  if (objects instanceof Error) return { case: name, status: 'unsupported', detail: `input not readable: ${objects.message.split('\n')[0]}` };
  const unsupported = unsupportedKinds(objects);
  // netpolicy v1.4.4 prints IP peers without the `[External]` suffix newer versions (and palisade) add.
  const got = formatConnlist(analyze(objects)).replaceAll('[External]', '');
  if (got.trim() === expected.trim()) return { case: name, status: 'agree', detail: '' };
  const e = new Set(expected.trim().split('\n'));
  const g = new Set(got.trim().split('\n'));
  const missing = [...e].filter((l) => !g.has(l));
  const extra = [...g].filter((l) => !e.has(l));
  const detail = `missing ${missing.length} [${missing.slice(0, 2).join(' | ')}] extra ${extra.length} [${extra.slice(0, 2).join(' | ')}]`;
  return { case: name, status: unsupported.length > 0 ? 'unsupported' : 'disagree', detail: unsupported.length > 0 ? `uses ${unsupported.join(', ')}; ${detail}` : detail };
}

describe.skipIf(skipWithout('go'))('netpol-analyzer oracle agreement', () => {
  beforeAll(async () => {
    ROOT = await goModuleDir(netpolicySpec().module);
  }, 120_000);

  it('agrees on every plain connlist case whose inputs palisade models', async () => {
    const cases = readdirSync(join(ROOT, 'test_outputs', 'connlist'))
      .filter((f) => f.endsWith('_connlist_output.txt') && !f.includes('_focus_workload'))
      .map((f) => f.replace(/_connlist_output\.txt$/, ''))
      .sort();
    const outcomes: Outcome[] = [];
    for (const c of cases) outcomes.push(await runCase(c));
    const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
    const agree = count('agree');
    const comparable = outcomes.length - count('other-command');
    console.log(
      `netpol-analyzer agreement: ${agree}/${comparable} comparable cases (${((100 * agree) / comparable).toFixed(1)}%); ` +
        `${agree}/${agree + count('disagree')} of cases within palisade's input kinds\n` +
        outcomes.filter((o) => o.status !== 'agree').map((o) => `  ${o.status.padEnd(13)} ${o.case}: ${o.detail}`).join('\n'),
    );
    expect(outcomes.filter((o) => o.status === 'disagree')).toEqual([]);
    // Guard against the corpus silently shrinking or everything being classed unsupported.
    expect(cases.length).toBe(107);
    expect(agree).toBeGreaterThanOrEqual(104);
  });
});
