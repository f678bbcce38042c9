/** The gateway's subgraph data source: what it sends, what it returns, and what it refuses. */
import { describe, expect, it } from 'vitest';
import type { HttpFetchInit, HttpFetchResponse } from '../../core/http-fetch.ts';
import { subgraphSource } from '../subgraph-source.ts';

type Context = { principalToken: string; requestId: string };

/** A fetch that records its calls and answers `reply`. */
function fakeFetch(reply: { status?: number; type?: string; body: string; cacheControl?: string }) {
  const calls: { url: string; init: HttpFetchInit }[] = [];
  const fetch = async (url: string, init: HttpFetchInit): Promise<HttpFetchResponse> => {
    calls.push({ url, init });
    const status = reply.status ?? 200;
    const headers: Record<string, string> = { 'content-type': reply.type ?? 'application/json', ...(reply.cacheControl ? { 'cache-control': reply.cacheControl } : {}) };
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: status === 200 ? 'OK' : 'Bad Gateway',
      url,
      headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
      text: async () => reply.body,
      json: async () => JSON.parse(reply.body) as unknown,
      arrayBuffer: async () => new ArrayBuffer(0),
    };
  };
  return { fetch, calls };
}

/** An incoming-operation call as @apollo/gateway makes it. */
function call(context: Context, restrict?: (hint: object) => void) {
  return {
    kind: 'incoming operation',
    request: { query: 'query Q($id: ID!) { citizen(id: $id) { name } }', variables: { id: '1' }, operationName: 'Q' },
    incomingRequestContext: { overallCachePolicy: restrict ? { restrict } : undefined },
    context,
    document: undefined,
    pathInIncomingRequest: [],
  } as never;
}

const context: Context = { principalToken: 'token-of-alice', requestId: 'req-1' };
const headers = (c: Context) => ({ 'x-citygraph-principal': c.principalToken, 'x-request-id': c.requestId, 'x-absent': undefined });

describe('subgraphSource', () => {
  it('POSTs the operation as JSON with the context\'s headers and returns the parsed answer', async () => {
    const { fetch, calls } = fakeFetch({ body: '{"data":{"citizen":{"name":"A"}}}' });
    const source = subgraphSource<Context>({ url: 'http://sub/', fetch, headers, onError: () => {} });
    const answer = await source.process(call(context));
    expect(answer).toEqual({ data: { citizen: { name: 'A' } } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://sub/');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json', 'x-citygraph-principal': 'token-of-alice', 'x-request-id': 'req-1' });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ query: 'query Q($id: ID!) { citizen(id: $id) { name } }', variables: { id: '1' }, operationName: 'Q' });
  });

  it('sends each call the headers of its own request\'s context, never another\'s', async () => {
    const { fetch, calls } = fakeFetch({ body: '{"data":{}}' });
    const source = subgraphSource<Context>({ url: 'http://sub/', fetch, headers, onError: () => {} });
    await Promise.all([source.process(call(context)), source.process(call({ principalToken: 'token-of-bob', requestId: 'req-2' }))]);
    expect(calls.map((c) => [c.init.headers?.['x-citygraph-principal'], c.init.headers?.['x-request-id']])).toEqual([
      ['token-of-alice', 'req-1'],
      ['token-of-bob', 'req-2'],
    ]);
  });

  it('hands a non-2xx answer and a non-JSON answer to onError, whose own error is thrown', async () => {
    for (const reply of [{ status: 502, body: '{"errors":[]}' }, { type: 'text/plain', body: 'hello' }]) {
      const { fetch } = fakeFetch(reply);
      const seen: string[] = [];
      const source = subgraphSource<Context>({
        url: 'http://sub/',
        fetch,
        headers,
        onError: (e) => {
          seen.push(e.message);
          throw new Error('department unavailable');
        },
      });
      await expect(source.process(call(context))).rejects.toThrow('department unavailable');
      expect(seen[0]).toMatch(reply.status ? /^502: / : /Expected JSON response body/);
    }
  });

  it('narrows the answer\'s cache policy by the subgraph\'s cache-control, as Apollo does (none: not cacheable)', async () => {
    const hints: object[] = [];
    for (const cacheControl of [undefined, 'max-age=60, public', 'private, max-age=5']) {
      const { fetch } = fakeFetch({ body: '{"data":{}}', cacheControl });
      await subgraphSource<Context>({ url: 'http://sub/', fetch, headers, onError: () => {} }).process(call(context, (h) => hints.push(h)));
    }
    expect(hints).toEqual([{ maxAge: 0 }, { maxAge: 60, scope: 'PUBLIC' }, { maxAge: 5, scope: 'PRIVATE' }]);
  });
});
