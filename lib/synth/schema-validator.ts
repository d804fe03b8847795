import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import jsYaml from 'js-yaml';
import { formatId, idOf, type KubeObject } from '../core/resource-id.js';
import type { SynthIssue } from '../model/issues.js';

/**
 * Offline schema validation of synthesized objects: CRD kinds against the vendored upstream
 * openAPIV3Schema, built-in kinds against the Kubernetes OpenAPI. Every object schema with
 * `properties` is closed (additionalProperties: false) to imitate API-server pruning, so a typo is
 * an error rather than a silently dropped field. CEL rules are left to the API server.
 */

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
const addFormats = addFormatsModule.default;
const K8S_KEYWORDS = ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations', 'x-kubernetes-group-version-kind', 'x-kubernetes-unions', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key'];

type Json = Record<string, unknown>;

const COMBINATORS = new Set(['oneOf', 'anyOf', 'allOf', 'not']);

/**
 * Closes object schemas in place; int-or-string becomes a union. Branches of oneOf/anyOf/allOf
 * only add constraints to their parent (e.g. Cilium's endpointSelector-or-nodeSelector), so they
 * stay open.
 */
function closeOne(s: Json, branch: boolean): void {
  if (s['x-kubernetes-int-or-string'] === true) {
    delete s['type'];
    s['anyOf'] ??= [{ type: 'integer' }, { type: 'string' }];
  }
  const open = s['additionalProperties'] !== undefined || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!branch && s['properties'] && !open) s['additionalProperties'] = false;
}

function close(schema: unknown, branch = false): void {
  if (Array.isArray(schema)) {
    schema.forEach((x) => close(x, branch));
  } else if (schema && typeof schema === 'object') {
    closeOne(schema as Json, branch);
    for (const [k, v] of Object.entries(schema)) close(v, COMBINATORS.has(k));
  }
}

/** Go-style `\\pL`/`\\PC` class shorthands (used in CRD patterns) as JavaScript `\\p{L}`. */
function goRegExp(pattern: string, flags: string): RegExp {
  return new RegExp(pattern.replace(/\\([pP])([A-Z])/g, '\\$1{$2}'), flags);
}
goRegExp.code = 'goRegExp';

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, code: { regExp: goRegExp } });
  addFormats(ajv);
  ajv.addKeyword({ keyword: K8S_KEYWORDS[0]! }).addVocabulary(K8S_KEYWORDS.slice(1));
  for (const f of ['int-or-string', 'quantity', 'cidr', 'byte', 'idn-hostname']) ajv.addFormat(f, true);
  return ajv;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : e.endsWith('.yaml') ? [p] : [];
  });
}

interface Crd { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema: Json } }> } }

/**
 * Schemas are read and compiled on first use, so a cluster pays only for the kinds it emits: the
 * built-in Kubernetes schemas when a built-in kind is asked for, a CRD file (about 2 MB of YAML in
 * all, most of a synthesis start-up to parse) only when a kind no earlier file defined is asked
 * for. Precedence is as if everything were loaded: built-in kinds first, then the CRD files in
 * order, standard channel before experimental, the first file defining a version winning.
 */
export class SchemaValidator {
  private readonly ajv = newAjv();
  private readonly validators = new Map<string, ValidateFunction | undefined>();
  private readonly pending = new Map<string, () => ValidateFunction>();
  private readonly unreadCrds: string[];
  private builtinKinds: Record<string, string> | undefined;

  public constructor(private readonly schemasDir = SCHEMAS) {
    this.unreadCrds = yamlFiles(join(schemasDir, 'crds')).sort((a, b) => Number(a.includes('/experimental/')) - Number(b.includes('/experimental/')) || a.localeCompare(b));
  }

  /** The built-in kinds (gvk → OpenAPI component name), their components added to ajv on first call. */
  private builtin(): Record<string, string> {
    if (!this.builtinKinds) {
      const builtin = JSON.parse(readFileSync(join(this.schemasDir, 'builtin', 'kubernetes.json'), 'utf8')) as { kinds: Record<string, string>; components: Json };
      close(builtin.components);
      this.ajv.addSchema({ components: builtin.components }, 'k8s');
      this.builtinKinds = builtin.kinds;
    }
    return this.builtinKinds;
  }

  /** Reads CRD files in precedence order until one defines `gvk` (or none is left). */
  private readCrdsUntil(gvk: string): void {
    while (!this.pending.has(gvk) && this.unreadCrds.length > 0) {
      const file = this.unreadCrds.shift()!;
      // js-yaml (YAML 1.2 core schema, as `yaml` reads it) parses CRDs about 6x faster.
      for (const doc of jsYaml.loadAll(readFileSync(file, 'utf8'), undefined, { schema: jsYaml.CORE_SCHEMA })) if (doc) this.addCrd(doc as Crd);
    }
  }

  private addCrd(crd: Crd): void {
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
      const raw = v.schema?.openAPIV3Schema;
      if (!raw || this.pending.has(key)) continue;
      this.pending.set(key, () => {
        const schema = structuredClone(raw);
        close(schema);
        // apiVersion/kind/metadata are checked by the API server itself; metadata is ObjectMeta.
        (schema['properties'] as Json)['metadata'] = { type: 'object' };
        return this.ajv.compile(schema);
      });
    }
  }

  private compileFor(gvk: string): ValidateFunction | undefined {
    const name = this.builtin()[gvk];
    if (name !== undefined) return this.ajv.compile({ $ref: `k8s#/components/schemas/${name}` });
    this.readCrdsUntil(gvk);
    return this.pending.get(gvk)?.();
  }

  private validatorFor(gvk: string): ValidateFunction | undefined {
    if (!this.validators.has(gvk)) this.validators.set(gvk, this.compileFor(gvk));
    return this.validators.get(gvk);
  }

  /** Problems with `obj`, each naming Kind/namespace/name and the field. */
  public validate(obj: KubeObject): SynthIssue[] {
    const v = this.validatorFor(`${obj.apiVersion}/${obj.kind}`);
    const id = formatId(idOf(obj));
    if (!v) return [{ code: 'SchemaInvalid', path: id, message: `no schema known for ${obj.apiVersion} ${obj.kind}` }];
    if (v(obj)) return [];
    return (v.errors ?? []).slice(0, 10).map((e) => ({
      code: 'SchemaInvalid' as const, path: id,
      message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${'additionalProperty' in e.params ? ` ("${String(e.params['additionalProperty'])}")` : ''}${'allowedValues' in e.params ? ` (allowed: ${(e.params['allowedValues'] as unknown[]).join(', ')})` : ''}`,
    }));
  }
}
