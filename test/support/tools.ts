import { spawnSync } from 'node:child_process';

/** External programs some tests need as oracles or harness. */
export type Tool = 'go' | 'kubectl' | 'python3' | 'apt-get' | 'gpg';

const PROBE: Readonly<Record<Tool, readonly string[]>> = { go: ['version'], kubectl: ['version', '--client'], python3: ['--version'], 'apt-get': ['--version'], gpg: ['--version'] };

/** `PALISADE_TEST_SKIP_MISSING=kubectl,python3` (or `all`): tools whose absence skips tests instead of failing them. */
function optedOut(tool: Tool, env: NodeJS.ProcessEnv): boolean {
  const list = (env['PALISADE_TEST_SKIP_MISSING'] ?? '').split(',').map((s) => s.trim());
  return list.includes(tool) || list.includes('all');
}

/**
 * Whether tests that need `tool` must be skipped: only when it is missing and the user opted out
 * explicitly. A missing tool without the opt-out throws, so the test file fails with the reason
 * (never a silent skip); skips are counted in the summary line.
 */
export function skipWithout(tool: Tool, env: NodeJS.ProcessEnv = process.env): boolean {
  const r = spawnSync(tool, PROBE[tool], { stdio: 'ignore' });
  if (r.status === 0) return false;
  if (optedOut(tool, env)) return true;
  throw new Error(`${tool} is not on PATH (${r.error?.message ?? `exit ${r.status}`}); these tests use it as an oracle or harness. Install it, or set PALISADE_TEST_SKIP_MISSING=${tool} to skip them (counted as skipped).`);
}
