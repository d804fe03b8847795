/** Every GitHub workflow passes actionlint (built from the Go module proxy at a pinned version and cached). */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { silentProgress } from '../../lib/core/progress.js';
import { actionlintSpec, ensureBinary } from '../../reconciler/controlplane/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { skipWithout } from '../support/tools.js';

const run = promisify(execFile);
const workflows = readdirSync(join(REPO_ROOT, '.github', 'workflows')).filter((f) => f.endsWith('.yaml')).sort();

describe.skipIf(skipWithout('go'))('GitHub workflows', () => {
  it('include ci, drift-report and e2e-kind', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yaml', 'drift-report.yaml', 'e2e-kind.yaml', 'policy-review.yaml']));
  });

  it.each(workflows)('%s passes actionlint', async (file) => {
    const actionlint = await ensureBinary(actionlintSpec(), { progress: silentProgress });
    const r = await run(actionlint, ['-no-color', join('.github', 'workflows', file)], { cwd: REPO_ROOT }).then(() => ({ out: '' }), (e: { stdout: string }) => ({ out: e.stdout }));
    expect(r.out).toBe('');
  }, 600_000);
});

describe('the policy-review workflow', () => {
  interface Step { uses?: string; run?: string; with?: Record<string, unknown>; 'working-directory'?: string }
  const steps = (parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', 'policy-review.yaml'), 'utf8')) as { jobs: { review: { steps: Step[] } } }).jobs.review.steps;

  it('checks out base and head separately, without persisted credentials', () => {
    const checkouts = steps.filter((st) => st.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((c) => [c.with?.['path'], c.with?.['ref'], c.with?.['persist-credentials']])).toEqual([
      ['base', '${{ github.event.pull_request.base.sha }}', false],
      ['head', '${{ github.event.pull_request.head.sha }}', false],
    ]);
  });

  it('runs the base\'s palisade with the base\'s rules and treats the head as the source only', () => {
    const install = steps.find((st) => st.run?.trim() === 'npm ci');
    expect(install?.['working-directory']).toBe('base');
    const diff = steps.map((st) => st.run ?? '').find((r) => r.includes(' diff '));
    expect(diff).toMatch(/node base\/bin\/palisade\.js diff --source head --base "\$BASE_SHA" --head "\$HEAD_SHA" --config base\/palisade\.yaml/);
    expect(steps.some((st) => (st.run ?? '').includes('head/bin') || st['working-directory'] === 'head')).toBe(false);
  });
});
