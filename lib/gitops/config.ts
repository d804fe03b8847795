import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { PalisadeError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';

/** Where the synthesized output lives in Git, for Argo CD and Flux (palisade.yaml at the repository root). */
export interface GitOpsConfig {
  readonly repoURL: string;
  /** Branch holding policies/ (and dist/ in the `dist` layout). @default main */
  readonly branch: string;
  /** `dist`: output committed under dist/ on the same branch; `rendered`: `palisade publish` commits it to renderedBranch. @default dist */
  readonly layout: 'dist' | 'rendered';
  /** @default rendered */
  readonly renderedBranch: string;
  readonly argocd: { readonly namespace: string; readonly project: string };
  readonly flux: { readonly namespace: string; readonly interval: string };
}

const schema = {
  type: 'object', additionalProperties: false, required: ['gitops'],
  properties: {
    gitops: {
      type: 'object', additionalProperties: false, required: ['repoURL'],
      properties: {
        repoURL: { type: 'string', minLength: 1 },
        branch: { type: 'string', default: 'main' },
        layout: { enum: ['dist', 'rendered'], default: 'dist' },
        renderedBranch: { type: 'string', default: 'rendered' },
        argocd: { type: 'object', additionalProperties: false, default: {}, properties: { namespace: { type: 'string', default: 'argocd' }, project: { type: 'string', default: 'default' } } },
        flux: { type: 'object', additionalProperties: false, default: {}, properties: { namespace: { type: 'string', default: 'flux-system' }, interval: { type: 'string', default: '1m' } } },
      },
    },
    // Checked by lib/review/config.ts (pull-request review: approval and probes).
    review: { type: 'object' },
  },
} as const;

const validator = lazy(() => new Ajv2020({ allErrors: true, useDefaults: true }).compile<{ gitops: GitOpsConfig }>(schema));

/** Reads palisade.yaml; undefined when the file does not exist (no GitOps objects then). */
export async function loadGitOpsConfig(file: string): Promise<GitOpsConfig | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const raw: unknown = parse(text, { version: '1.1' });
  const validate = validator();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `  ${e.instancePath || '/'}: ${e.message ?? 'invalid'}`).join('\n');
    throw new PalisadeError('InvalidInput', `${file}: invalid configuration:\n${problems}`);
  }
  return raw.gitops;
}
