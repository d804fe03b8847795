import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { PalisadeError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';

/** A must-allow / must-deny connectivity probe (palisade.yaml `review.probes`). */
export interface Probe {
  readonly name: string;
  /** `namespace/name` of a workload (`*` allowed for the name), or `zone:<zone>`. */
  readonly from: string;
  /** Like `from`, or a DNS name / pattern such as `github.com`, or `world` (any external address). */
  readonly to: string;
  /** e.g. `TCP 443`; any port when absent. */
  readonly port?: string;
  readonly expect: 'allow' | 'deny';
  /** Clusters the probe applies to; all when absent. */
  readonly clusters?: readonly string[];
}

export interface ReviewConfig {
  /** PR label (or marker) that approves a weakening; none means weakenings never block. */
  readonly approvalLabel?: string;
  readonly probes: readonly Probe[];
}

const schema = {
  type: 'object',
  properties: {
    review: {
      type: 'object', additionalProperties: false,
      properties: {
        approval: { type: 'object', additionalProperties: false, required: ['label'], properties: { label: { type: 'string', minLength: 1 } } },
        probes: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'from', 'to', 'expect'],
            properties: {
              name: { type: 'string', minLength: 1 }, from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 },
              port: { type: 'string', pattern: '^(TCP|UDP|SCTP) \\d+$' }, expect: { enum: ['allow', 'deny'] },
              clusters: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

const validator = lazy(() => new Ajv2020({ allErrors: true }).compile<{ review?: { approval?: { label: string }; probes?: Probe[] } }>(schema));

/** Reads `review:` from palisade.yaml (empty configuration when the file or section is absent). */
export async function loadReviewConfig(file: string): Promise<ReviewConfig> {
  return parseReviewConfig(await readFile(file, 'utf8').catch(() => undefined), file);
}

/** `review:` of a palisade.yaml text (undefined: no file); `file` names it in errors. */
export function parseReviewConfig(text: string | undefined, file: string): ReviewConfig {
  if (text === undefined) return { probes: [] };
  // An empty file (or one of comments only) configures nothing.
  const raw: unknown = parse(text, { version: '1.1' }) ?? {};
  const validate = validator();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `  ${e.instancePath || '/'}: ${e.message ?? 'invalid'}`).join('\n');
    throw new PalisadeError('InvalidInput', `${file}: invalid review configuration:\n${problems}`);
  }
  const label = raw.review?.approval?.label;
  return { ...(label === undefined ? {} : { approvalLabel: label }), probes: raw.review?.probes ?? [] };
}
