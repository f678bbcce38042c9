/**
 * How @apollo/gateway calls one subgraph: the plan's operation as a JSON POST with our headers, through
 * our pooled fetch. It replaces RemoteGraphQLDataSource, which builds a node-fetch `Headers` and a
 * `Request` per call (the `Request` only for its hooks, unused here) and parses URLs twice: about a
 * tenth of the gateway's CPU per dashboard in its profile (see docs/BENCHMARKS.md). The wire is the same:
 * the same body, the same headers, a non-2xx or non-JSON answer an error handed to `onError`.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { HttpFetchInit, HttpFetchResponse } from '../core/http-fetch.ts';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What a subgraph source needs. */
export interface SubgraphSourceOptions<C> {
  /** The subgraph's URL (the fetch may send the call to another instance). */
  url: string;
  /** Sends one call. */
  fetch(url: string, init: HttpFetchInit): Promise<HttpFetchResponse>;
  /** Headers of the incoming request's context to send (principal, request and execution ids). */
  headers(context: C): Record<string, string | undefined>;
  /** Called with every failure before it is thrown; may throw an error of its own instead. */
  onError(error: Error): void;
}

/** A GraphQLDataSource for one subgraph. */
export function subgraphSource<C extends Record<string, any>>(options: SubgraphSourceOptions<C>): GraphQLDataSource<C> {
  return {
    async process(call: GraphQLDataSourceProcessOptions<C>): Promise<GatewayGraphQLResponse> {
      const { http, ...request } = call.request;
      if (!request.query) throw new Error('Missing query');
      const headers: Record<string, string> = {};
      // Headers the plan itself asks for (federated tracing), lower-cased as fetch's Headers would.
      for (const [name, value] of http?.headers ?? []) headers[name.toLowerCase()] = value;
      headers['content-type'] = 'application/json';
      // A health check or schema load (neither is configured here) has no request's context to carry.
      const own = 'incomingRequestContext' in call ? options.headers(call.context) : {};
      for (const [name, value] of Object.entries(own)) if (value !== undefined) headers[name] = value;
      let response: HttpFetchResponse | undefined;
      try {
        response = await options.fetch(options.url, { method: 'POST', headers, body: JSON.stringify(request) });
        if (!response.ok) throw new Error(`${response.status}: ${response.statusText}`);
        const type = response.headers.get('content-type') ?? '';
        const body: unknown = type.startsWith('application/json') || type.startsWith('application/graphql-response+json') ? await response.json() : await response.text();
        if (typeof body !== 'object' || body === null) throw new Error(`Expected JSON response body, but received: ${String(body)}`);
        restrictCachePolicy(call, response.headers.get('cache-control'));
        return body as GatewayGraphQLResponse;
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        options.onError(error);
        throw error;
      }
    },
  };
}

/** As RemoteGraphQLDataSource: the subgraph's `cache-control` narrows the whole answer's cache policy (none: not cacheable). */
function restrictCachePolicy(call: GraphQLDataSourceProcessOptions<Record<string, any>>, header: string | null): void {
  if (!('incomingRequestContext' in call)) return;
  const policy = call.incomingRequestContext.overallCachePolicy as { restrict?: (hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }) => void } | undefined;
  if (!policy?.restrict) return;
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  const flags = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name === 'max-age' && value !== undefined && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name && value === undefined) flags.add(name);
  }
  // Apollo's order: `public` wins over `private` when a subgraph sends both.
  if (flags.has('private')) hint.scope = 'PRIVATE';
  if (flags.has('public')) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}
