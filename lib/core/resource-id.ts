/** Identity of a Kubernetes object, and the one way humans see it: `Kind/namespace/name`. */
export interface ResourceId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Machine key of a resource: `group/Kind/namespace/name` (version-independent). */
export type ResourceKey = string & { readonly __brand: 'ResourceKey' };

/** Minimal shape of any Kubernetes object palisade handles. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    /** Set by the API server. */
    readonly uid?: string;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function idOf(obj: KubeObject): ResourceId {
  const { apiVersion, kind } = obj;
  const { name, namespace } = obj.metadata;
  return namespace === undefined ? { apiVersion, kind, name } : { apiVersion, kind, namespace, name };
}

export function keyOf(id: ResourceId): ResourceKey {
  return `${groupOf(id.apiVersion)}/${id.kind}/${id.namespace ?? ''}/${id.name}` as ResourceKey;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function formatId(id: ResourceId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}
