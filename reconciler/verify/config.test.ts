import { describe, expect, it } from 'vitest';
import { isPgpKey, parseSignatureConfig } from './config.js';

const PGP = ['-----BEGIN PGP PUBLIC KEY BLOCK-----', '', 'mDMEZ0AAABYJKwYBBAHaRw8BAQdA', '=abcd', '-----END PGP PUBLIC KEY BLOCK-----'];

describe('source.signatures in palisade.yaml', () => {
  it('reads an ASCII-armored OpenPGP key written as a YAML literal block, beside an SSH key', () => {
    const yaml = [
      'source:', '  signatures:', '    signers:', '      security:',
      '        - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvZ alice@example.com"',
      '        - |', ...PGP.map((l) => (l === '' ? '' : `          ${l}`)),
      '    rules:', '      - {paths: ["policies/**"], signers: [security]}', '',
    ].join('\n');
    const config = parseSignatureConfig(yaml, 'palisade.yaml');
    expect(config?.signers['security']?.map(isPgpKey)).toEqual([false, true]);
  });

  it('refuses a truncated OpenPGP block, naming the entry', () => {
    const yaml = ['source:', '  signatures:', '    signers:', '      security:', '        - |', '          -----BEGIN PGP PUBLIC KEY BLOCK-----', '          mDMEZ0AAAB', '    rules:', '      - {paths: ["**"], signers: [security]}', ''].join('\n');
    expect(() => parseSignatureConfig(yaml, 'palisade.yaml')).toThrow(/palisade\.yaml: invalid source\.signatures:\n\s+\/source\/signatures\/signers\/security\/0: must match pattern/);
  });
});
