import type { KubeConfig} from '@kubernetes/client-node';
import {
  ApiException, PatchStrategy, ServerConfiguration, createConfiguration,
  type KubernetesObject, type RequestContext, type ResponseContext,
} from '@kubernetes/client-node';
import { pooledAuth } from './pooled.js';
import { RawObjectApi } from './raw-api.js';
import { retryDelay } from './retry.js';
import { PalisadeError } from '../../lib/core/errors.js';
import { formatId, idOf, type KubeObject, type ResourceId } from '../../lib/core/resource-id.js';
import { FIELD_MANAGER } from '../../lib/core/labels.js';

export interface ApplyOptions {
  /** Server-side dry-run (`dryRun=All`): admission and schema run, nothing is stored. @default false */
  readonly dryRun?: boolean;
  /** Take ownership of fields held by other managers. @default true */
  readonly force?: boolean;
  /** @default FIELD_MANAGER */
  readonly fieldManager?: string;
}

/** The only way palisade talks to a cluster. Every write uses strict field validation. */
export interface ClusterClient {
  readonly server: string;
  apply(obj: KubeObject, opts?: ApplyOptions): Promise<KubeObject>;
  create(obj: KubeObject, opts?: { readonly dryRun?: boolean }): Promise<KubeObject>;
  get(id: ResourceId): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, opts?: { readonly namespace?: string; readonly labelSelector?: string }): Promise<KubeObject[]>;
  /** Deletes; with `uid`, only if the live object still has that UID (a precondition). */
  delete(id: ResourceId, opts?: { readonly uid?: string }): Promise<boolean>;
  /** Replaces an object (optimistic concurrency on metadata.resourceVersion), for leases. */
  replace(obj: KubeObject, opts?: { readonly fieldManager?: string }): Promise<KubeObject>;
  /** REST path of a kind's collection (`/apis/cilium.io/v2/namespaces/x/ciliumnetworkpolicies`), for watches. */
  collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string>;
  /** GET of a non-resource path such as `/metrics`, as text. */
  getText(path: string): Promise<string>;
  /** The underlying kubeconfig, for watches. */
  readonly kubeConfig: KubeConfig;
}

/** An API error with the object it concerns and the HTTP status. */
export class ApiError extends PalisadeError {
  public readonly status: number;
  public readonly id: ResourceId;
  public readonly body: unknown;
  public constructor(id: ResourceId, verb: string, exception: ApiException<unknown>) {
    super('ApplyFailed', `${formatId(id)} ${verb} failed: HTTP ${exception.code}: ${statusMessage(exception.body)}`, { cause: exception });
    this.status = exception.code;
    this.id = id;
    this.body = exception.body;
  }
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try { return statusMessage(JSON.parse(body)); } catch { return body.slice(0, 500); }
  }
  if (typeof body === 'object' && body !== null && 'message' in body) return String((body).message);
  return String(body);
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

const WRITE_METHODS = new Set(['PATCH', 'POST', 'PUT']);

/** Objects per LIST request (kubectl's `--chunk-size` default). */
const LIST_PAGE = 500;

interface ListPage {
  readonly items: KubeObject[];
  readonly metadata?: { readonly continue?: string };
}

function strictValidation(): { pre(ctx: RequestContext): Promise<RequestContext>; post(ctx: ResponseContext): Promise<ResponseContext> } {
  return {
    pre: (ctx) => {
      if (WRITE_METHODS.has(String(ctx.getHttpMethod()))) ctx.setQueryParam('fieldValidation', 'Strict');
      return Promise.resolve(ctx);
    },
    post: (ctx) => Promise.resolve(ctx),
  };
}

function wrap(id: ResourceId, verb: string, e: unknown): unknown {
  if (e instanceof ApiException) return new ApiError(id, verb, e as ApiException<unknown>);
  const code = (e as { code?: string; cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET') {
    return new PalisadeError('ClusterUnreachable', `${formatId(id)} ${verb} failed: cluster unreachable (${code})`, { cause: e });
  }
  return e;
}

/** Counts requests a client sends (benchmarks: API requests per idle minute). */
export interface RequestCounter { count: number }

function counting(counter: RequestCounter): { pre(ctx: RequestContext): Promise<RequestContext>; post(ctx: ResponseContext): Promise<ResponseContext> } {
  return { pre: (ctx) => { counter.count += 1; return Promise.resolve(ctx); }, post: (ctx) => Promise.resolve(ctx) };
}

/** A ClusterClient over @kubernetes/client-node for the current context of `kc`. */
export function clientFor(kc: KubeConfig, counter?: RequestCounter): ClusterClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new PalisadeError('KubeconfigInvalid', 'The kubeconfig has no current cluster.', { hint: 'Set current-context, or pass --context.' });
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: pooledAuth(kc) },
    promiseMiddleware: counter ? [strictValidation(), counting(counter)] : [strictValidation()],
  });
  const api = new RawObjectApi(config);
  const call = async <T>(id: ResourceId, verb: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try { return await fn(); } catch (e) {
        const delay = retryDelay(e, verb, attempt);
        if (delay === undefined) throw wrap(id, verb, e);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const header = (id: ResourceId): KubernetesObject => ({ apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}) } });
  const orUndefined = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try { return await fn(); } catch (e) { if (e instanceof ApiException && e.code === 404) return undefined; throw e; }
  };
  return {
    server: cluster.server,
    kubeConfig: kc,
    apply: (obj, opts = {}) => call(idOf(obj), opts.dryRun ? 'dry-run apply' : 'apply', async () => (await api.send('patch', obj as KubernetesObject, {
      query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: String(opts.force ?? true), ...(opts.dryRun ? { dryRun: 'All' } : {}) },
      body: obj, contentType: PatchStrategy.ServerSideApply,
    })) as KubeObject),
    create: (obj, opts = {}) => call(idOf(obj), 'create', async () => (await api.send('create', obj as KubernetesObject, { query: { fieldManager: FIELD_MANAGER, ...(opts.dryRun ? { dryRun: 'All' } : {}) }, body: obj })) as KubeObject),
    replace: (obj, opts = {}) => call(idOf(obj), 'replace', async () => (await api.send('replace', obj as KubernetesObject, { query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER }, body: obj })) as KubeObject),
    collectionPath: (apiVersion, kind, namespace) => api.collectionPath(apiVersion, kind, namespace),
    getText: (path) => call({ apiVersion: 'v1', kind: 'NonResource', name: path }, 'get', () => api.getText(path)),
    get: (id) => call(id, 'get', () => orUndefined(async () => (await api.send('read', header(id))) as KubeObject)),
    list: async (apiVersion, kind, opts = {}) => {
      const id = { apiVersion, kind, name: '*', ...(opts.namespace ? { namespace: opts.namespace } : {}) };
      const spec = { apiVersion, kind, metadata: opts.namespace ? { namespace: opts.namespace } : {} } as KubernetesObject;
      // In pages, as kubectl does: one response of tens of thousands of objects would be held whole, as text and parsed.
      const out: KubeObject[] = [];
      let token: string | undefined;
      do {
        const query = { labelSelector: opts.labelSelector, limit: String(LIST_PAGE), continue: token };
        const res = await call(id, 'list', async () => (await api.send('list', spec, { query })) as ListPage);
        for (const o of res.items) out.push({ ...o, apiVersion, kind });
        token = res.metadata?.continue || undefined;
      } while (token !== undefined);
      return out;
    },
    delete: (id, opts = {}) => call(id, 'delete', async () => {
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}) };
      return (await orUndefined(() => api.send('delete', header(id), { body }))) !== undefined;
    }),
  };
}
