import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PalisadeError } from '../core/errors.js';

/** One object read from the input, with the file (and document) it came from. */
export interface SourcedObject {
  readonly object: Record<string, unknown>;
  readonly source: string;
}

const EXTENSIONS = /\.(ya?ml|json)$/i;

async function listFiles(root: string): Promise<string[]> {
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) throw new PalisadeError('InvalidInput', `${root}: no such file or directory`);
  if (info.isFile()) return [root];
  const out: string[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (EXTENSIONS.test(entry.name)) out.push(path);
  }
  return out;
}

/** Expands `List`, `PodList`, `NetworkPolicyList`, … into their items. */
function unwrap(object: Record<string, unknown>, source: string): SourcedObject[] {
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  if (kind.endsWith('List') && Array.isArray(object['items'])) {
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    return (object['items'] as unknown[]).flatMap((item, i) => {
      if (!isObject(item)) return [];
      const typed = item['kind'] === undefined && itemKind !== undefined ? { apiVersion: object['apiVersion'], kind: itemKind, ...item } : item;
      return unwrap(typed, `${source}#items[${i}]`);
    });
  }
  return [{ object, source }];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses every YAML/JSON document in `text`; a syntax error names the file, line and column. */
export function parseManifests(text: string, source: string): SourcedObject[] {
  const out: SourcedObject[] = [];
  parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false }).forEach((doc, i) => {
    const error = doc.errors[0];
    if (error !== undefined) {
      const where = error.linePos?.[0];
      throw new PalisadeError('InvalidInput', `${source}${where === undefined ? '' : `:${where.line}:${where.col}`}: not valid YAML: ${error.message.split('\n')[0]}`, {
        hint: 'Fix the syntax error; palisade analyze reads every .yaml, .yml and .json file under the input directory.',
      });
    }
    const value: unknown = doc.toJS();
    if (isObject(value)) out.push(...unwrap(value, `${source}#${i}`));
  });
  return out;
}

/** Reads every manifest under the given paths (files or directories, recursively). */
export async function readManifests(paths: readonly string[], base = process.cwd()): Promise<SourcedObject[]> {
  const out: SourcedObject[] = [];
  for (const root of paths) {
    for (const file of await listFiles(root)) {
      out.push(...parseManifests(await readFile(file, 'utf8'), relative(base, file) || file));
    }
  }
  return out;
}
