import { describe, expect, it } from 'vitest';
import { argvForParse } from './argv.js';

const names = ['synth', 'drift', 'diff'];
const run = (...args: string[]): string[] => argvForParse(['node', 'palisade', ...args], names).slice(2);

describe('argvForParse', () => {
  it('drops help flags after an unknown command so it fails as unknown', () => {
    expect(run('doctr', '--help')).toEqual(['doctr']);
    expect(run('doctr', '-c', 'x', '-h')).toEqual(['doctr', '-c', 'x']);
  });
  it('turns `help UNKNOWN` into the unknown command itself', () => {
    expect(run('help', 'doctr')).toEqual(['doctr']);
  });
  it('leaves known commands, `help KNOWN` and root flags alone', () => {
    expect(run('synth', '--help')).toEqual(['synth', '--help']);
    expect(run('help', 'drift')).toEqual(['help', 'drift']);
    expect(run('--help')).toEqual(['--help']);
    expect(run()).toEqual([]);
  });
});
