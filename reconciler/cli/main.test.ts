import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';

// Whole processes, as a script runs them: the exit code is what CI reads.
describe('palisade entry point', () => {
  it('an unknown command exits 2 with a hint even when --help follows it', async () => {
    const r = await runCli(['synt', '--help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'synt'");
    expect(r.stderr).toContain('Did you mean synth?');
    expect(r.stdout).not.toContain('Usage: palisade');
  });
  it('`help UNKNOWN` exits 2; help for a known command exits 0', async () => {
    expect((await runCli(['help', 'doctr'])).code).toBe(2);
    const known = await runCli(['drift', '--help']);
    expect(known.code).toBe(0);
    expect(known.stdout).toContain('Usage: palisade drift');
  });
});
