/** Errors thrown by policy code (outside lib/) are located at the line of policy code that raised them. */
import { describe, expect, it } from 'vitest';
import { isPalisadeError } from '../../lib/core/errors.js';
import { Port } from '../../lib/constructs/values.js';
import { testCluster } from '../../lib/testing/index.js';
import { synthesize } from '../../lib/synth/synthesize.js';

describe('errors raised by policy code', () => {
  it('name the cluster and the line of policy code, keeping code and message', () => {
    let caught: unknown;
    try {
      synthesize(() => { Port.tcp(70000); }, testCluster({ name: 'edge', network: 'kubernetes' }));
    } catch (e) {
      caught = e;
    }
    expect(isPalisadeError(caught) && caught.code).toBe('InvalidInput');
    expect((caught as Error).message).toMatch(/^cluster edge: test\/policies\/policy-location\.test\.ts:\d+:\d+: Invalid port 70000/);
  });

  it('wrap plain errors of user code as SynthFailed', () => {
    const boom = (): never => { throw new TypeError('cannot read properties of undefined'); };
    expect(() => synthesize(boom, testCluster({ name: 'edge', network: 'kubernetes' }))).toThrow(expect.objectContaining({
      code: 'SynthFailed',
      message: expect.stringMatching(/^cluster edge: test\/policies\/policy-location\.test\.ts:\d+:\d+: cannot read properties/),
    }));
  });
});
