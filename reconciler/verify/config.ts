/**
 * `source.signatures` of palisade.yaml: who must sign commits that touch which paths. SSH keys
 * (git `gpg.format=ssh`, verified by git with an allowed-signers file palisade writes) and OpenPGP
 * keys (ASCII-armored public key blocks, verified by git with gpg and a keyring palisade builds
 * from them alone), in named groups; rules by path glob, first match wins per path.
 *
 *   source:
 *     signatures:
 *       signers:
 *         security: ["ssh-ed25519 AAAA… alice@acme.example"]
 *         platform: ["ssh-ed25519 AAAA… bob@acme.example"]
 *       rules:
 *         - {paths: ["clusters/prod-*\/**", "policies/**"], signers: [security]}
 *         - {paths: ["**"], signers: [security, platform]}
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { PalisadeError } from '../../lib/core/errors.js';
import { lazy } from '../../lib/core/lazy.js';

export interface SignatureRule {
  readonly paths: readonly string[];
  /** Signer groups, any of which may sign. */
  readonly signers: readonly string[];
}

export interface SignatureConfig {
  /** Group → public keys: SSH (`ssh-ed25519 AAAA… comment`) or ASCII-armored OpenPGP blocks. */
  readonly signers: Readonly<Record<string, readonly string[]>>;
  readonly rules: readonly SignatureRule[];
}

/** An SSH public key line, or an ASCII-armored OpenPGP public key block. */
const SSH_KEY = '(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/=]+( .*)?';
const PGP_KEY = '\\s*-----BEGIN PGP PUBLIC KEY BLOCK-----[\\s\\S]+-----END PGP PUBLIC KEY BLOCK-----\\s*';

/** Whether a signer entry is an OpenPGP key (else an SSH key). */
export const isPgpKey = (key: string): boolean => key.trimStart().startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----');

const schema = {
  type: 'object',
  properties: {
    source: {
      type: 'object', additionalProperties: false,
      properties: {
        signatures: {
          type: 'object', additionalProperties: false, required: ['signers', 'rules'],
          properties: {
            signers: { type: 'object', minProperties: 1, additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', pattern: `^((${SSH_KEY})|(${PGP_KEY}))$` } } },
            rules: {
              type: 'array', minItems: 1,
              items: {
                type: 'object', additionalProperties: false, required: ['paths', 'signers'],
                properties: { paths: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, signers: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validator = lazy(() => new Ajv2020({ allErrors: true }).compile<{ source?: { signatures?: SignatureConfig } }>(schema));

/** The signature rules of a palisade.yaml text; undefined when it requires none. `file` names it in errors. */
export function parseSignatureConfig(text: string | undefined, file: string): SignatureConfig | undefined {
  if (text === undefined) return undefined;
  const raw: unknown = parse(text, { version: '1.1' }) ?? {};
  const validate = validator();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).filter((e) => e.instancePath.startsWith('/source')).map((e) => `  ${e.instancePath}: ${e.message ?? 'invalid'}`);
    if (problems.length > 0) throw new PalisadeError('InvalidInput', `${file}: invalid source.signatures:\n${problems.join('\n')}`, { hint: 'see "Signed revisions" in README.md' });
    return undefined;
  }
  const sig = raw.source?.signatures;
  if (sig === undefined) return undefined;
  for (const [i, r] of sig.rules.entries()) {
    const unknown = r.signers.filter((g) => !(g in sig.signers));
    if (unknown.length > 0) throw new PalisadeError('InvalidInput', `${file}: source.signatures.rules[${i}].signers names ${unknown.join(', ')}, not in source.signatures.signers`);
  }
  return sig;
}
