/** Every GitHub workflow passes actionlint (built from the Go module proxy at a pinned version and cached). */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
