/** What a request leaves to do once answered (a deadline's timer cleared) runs once, after the answer, whatever path it took. */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveGraphQL, type RunningHttp } from '../graphql-http.ts';
import { createLogger } from '../logger.ts';
import { atRequestEnd, currentRequestScope, endRequestScope, type RequestScope } from '../request-scope.ts';

describe('atRequestEnd', () => {
  it('runs each function once, in order, when the scope ends, and nothing at a second end', () => {
    const scope: RequestScope = { deadline: Date.now() + 1000 };
    const ran: string[] = [];
    atRequestEnd(scope, () => ran.push('a'));
    atRequestEnd(scope, () => ran.push('b'));
    expect(ran).toEqual([]);
    endRequestScope(scope);
    endRequestScope(scope);
    expect(ran).toEqual(['a', 'b']);
  });
});

describe('the HTTP layer', () => {
  const events: string[] = [];
  let http: RunningHttp;
  beforeAll(async () => {
    const server = new ApolloServer({
      typeDefs: 'type Query { ok: Boolean fails: Boolean }',
      resolvers: {
        Query: {
          ok: () => {
            // A resolver registers work for the end, as the gateway's deadline signal does.
            atRequestEnd(currentRequestScope()!, () => events.push('ended'));
            events.push('resolved');
            return true;
          },
          fails: () => {
            atRequestEnd(currentRequestScope()!, () => events.push('ended after an error'));
            throw new Error('no');
          },
        },
      },
    });
    http = await serveGraphQL(server, { port: 0, logger: createLogger({ service: 'test', level: 'silent' }), context: async () => ({}) });
  });
  afterAll(() => http?.close());

  const post = (query: string) => fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json());

  it('ends the request\'s scope once it has answered', async () => {
    events.length = 0;
    expect(await post('{ ok }')).toEqual({ data: { ok: true } });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['resolved', 'ended']);
  });

  it('ends it too when execution failed', async () => {
    events.length = 0;
    const answer = (await post('{ fails }')) as { errors?: unknown[] };
    expect(answer.errors).toHaveLength(1);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['ended after an error']);
  });
});
