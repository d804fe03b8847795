import { PalisadeError, describeError } from '../../lib/core/errors.js';
import { sideClusterOf, type ReviewSide } from '../../lib/review/index.js';
import { synthesizeCheckout } from '../source/desired.js';
import { git, resolveSource, type Checkout } from '../source/source.js';

/** ` @ 1a2b3c4d5e6f` for a ref; ` on 1a2b3c4d5e6f` for a working tree on top of a commit. */
function revisionSuffix(ref: string | undefined, revision: string): string {
  if (revision === 'local') return '';
  return `${ref === undefined ? ' on' : ' @'} ${revision.slice(0, 12)}`;
}

/** `base` / `head` at a Git ref of the repository in `repoDir`, or the working tree when ref is undefined. */
export async function loadSide(role: 'base' | 'head', repoDir: string, ref: string | undefined, clusters: readonly string[]): Promise<{ side: ReviewSide; dir: string }> {
  const where = ref === undefined ? 'working tree' : ref;
  let checkout: Checkout;
  try {
    if (ref === undefined) checkout = await resolveSource({ kind: 'local', dir: repoDir });
    else {
      const root = (await git(repoDir).revparse(['--show-toplevel'])).trim();
      checkout = await resolveSource({ kind: 'git', url: root, ref }, repoDir);
    }
  } catch (e) {
    throw new PalisadeError('GitFailed', `${role} (${where}): ${describeError(e)}`);
  }
  const label = `${role} (${where}${revisionSuffix(ref, checkout.revision)})`;
  try {
    const results = await synthesizeCheckout(checkout, clusters);
    return { side: { label, clusters: results.map(sideClusterOf) }, dir: checkout.dir };
  } catch (e) {
    throw new PalisadeError('SynthFailed', `${label} does not synthesize:\n${describeError(e)}`, { hint: `fix the ${role} side first (palisade synth shows the same errors)` });
  }
}

/** Files under `paths` that differ between `base` and `head` (the working tree when undefined), sorted. */
export async function changedPaths(repoDir: string, base: string, head: string | undefined, paths: readonly string[]): Promise<string[]> {
  // -z: paths exactly as committed (never quoted), so a non-ASCII name is matched like any other.
  const out = await git(repoDir).raw(['diff', '-z', '--no-renames', '--name-only', base, ...(head === undefined ? [] : [head]), '--', ...paths]).catch((e: unknown) => {
    throw new PalisadeError('GitFailed', `cannot compare ${base} with ${head ?? 'the working tree'}: ${describeError(e)}`);
  });
  // A working tree's new files are changes too, tracked or not.
  const untracked = head === undefined ? await git(repoDir).raw(['ls-files', '-z', '--others', '--exclude-standard', '--', ...paths]).catch(() => '') : '';
  return [...new Set([...out.split('\0'), ...untracked.split('\0')].filter(Boolean))].sort();
}
