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

export class SchemaValidator {
  private readonly ajv = newAjv();
  private readonly validators = new Map<string, ValidateFunction>();
  /** Schemas compiled on first use: only the kinds a cluster emits pay for compilation. */
  private readonly pending = new Map<string, () => ValidateFunction>();

  /** Loads every vendored CRD (standard channel wins over experimental) and the built-in schemas. */
  public constructor(schemasDir = SCHEMAS) {
    const { ajv } = this;
    const crdFiles = yamlFiles(join(schemasDir, 'crds')).sort((a, b) => Number(a.includes('/experimental/')) - Number(b.includes('/experimental/')));
    for (const file of crdFiles) {
      // js-yaml (YAML 1.2 core schema, as `yaml` reads it) parses the 2 MB of CRDs about 6x faster: start-up of every synthesis.
      for (const doc of jsYaml.loadAll(readFileSync(file, 'utf8'), undefined, { schema: jsYaml.CORE_SCHEMA })) if (doc) this.addCrd(doc as Crd);
    }
    const builtin = JSON.parse(readFileSync(join(schemasDir, 'builtin', 'kubernetes.json'), 'utf8')) as { kinds: Record<string, string>; components: Json };
    close(builtin.components);
    ajv.addSchema({ components: builtin.components }, 'k8s');
    for (const [gvk, name] of Object.entries(builtin.kinds)) this.pending.set(gvk, () => ajv.compile({ $ref: `k8s#/components/schemas/${name}` }));
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

  private validatorFor(gvk: string): ValidateFunction | undefined {
    let v = this.validators.get(gvk);
    const compile = this.pending.get(gvk);
    if (!v && compile) {
      v = compile();
      this.validators.set(gvk, v);
    }
    return v;
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
