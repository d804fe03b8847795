import { ApiException, HttpMethod, KubernetesObjectApi, type KubernetesObject, type ResponseContext } from '@kubernetes/client-node';
import { PalisadeError } from '../../lib/core/errors.js';

export interface RawRequest {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  /** @default application/json */
  readonly contentType?: string;
}

const TEXT = 'text/plain';

export type Action = 'create' | 'read' | 'patch' | 'replace' | 'delete' | 'list';

const METHOD: Record<Action, HttpMethod> = {
  create: HttpMethod.POST, read: HttpMethod.GET, patch: HttpMethod.PATCH, replace: HttpMethod.PUT, delete: HttpMethod.DELETE, list: HttpMethod.GET,
};

/**
 * KubernetesObjectApi without its typed models. client-node serializes and deserializes built-in
 * kinds through generated classes that rename fields (NetworkPolicy `from` becomes `_from`) and
 * silently drop properties they do not know; a policy engine cannot afford that, so every request
 * and response here is plain JSON. Discovery, authentication and middleware are client-node's.
 */
export class RawObjectApi extends KubernetesObjectApi {
  /** Responses as the API server sent them. */
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, type?: string): Promise<T> {
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const text = await response.body.text();
      return (type === TEXT ? text : JSON.parse(text)) as T;
    }
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', await response.getBodyAsAny(), response.headers);
  }

  /** One request for `spec`'s resource with a JSON body, returning JSON. */
  public async send(action: Action, spec: KubernetesObject, req: RawRequest = {}): Promise<unknown> {
    const { query = {}, body, contentType = 'application/json' } = req;
    const path = await this.specUriPath(structuredClone(spec), action === 'create' ? 'create' : action === 'list' ? 'list' : 'read');
    const ctx = this.configuration.baseServer.makeRequestContext(path, METHOD[action]);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, v);
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType);
      ctx.setBody(JSON.stringify(body));
    }
    return this.requestPromise(ctx);
  }

  /** A GET of a non-resource path (`/metrics`), returning the body as text. */
  public async getText(path: string): Promise<string> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam('Accept', 'text/plain');
    return (await this.requestPromise(ctx, TEXT)) as unknown as string;
  }

  /** REST path of a kind's collection, for watches. */
  public async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = await this.resource(apiVersion, kind);
    if (!resource) throw new PalisadeError('InvalidInput', `the cluster does not serve ${apiVersion} ${kind} (is its CRD installed?)`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return resource.namespaced && namespace ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
  }
}
