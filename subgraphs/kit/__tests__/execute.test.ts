/** A subgraph's own engine: what Apollo Server answered, it answers (status, codes, format), without Apollo's pipeline. */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { toSafeGraphQLError } from '../../../core/errors.ts';
import { createSubgraphEngine } from '../execute.ts';

const schema = makeExecutableSchema({
  typeDefs: 'type Query { hello(name: String!): String broken: String count(n: Int!): Int }',
  resolvers: {
    Query: {
      hello: (_: unknown, a: { name: string }, ctx: { who: string }) => `${a.name} from ${ctx.who}`,
      broken: () => {
        throw new Error('secret internal detail');
      },
      count: (_: unknown, a: { n: number }) => a.n,
    },
  },
});
/** As the kit's: a public code and its message, or INTERNAL without detail. */
const formatError = (formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError => ({ ...toSafeGraphQLError(error).toJSON(), ...(formatted.path ? { path: formatted.path } : {}) });
const engine = createSubgraphEngine<{ who: string }>({ schema, formatError });
const context = async () => ({ who: 'the gateway' });
const run = async (body: Record<string, unknown>, ctx: () => Promise<{ who: string }> = context, e = engine) => {
  const a = await e.execute(body, ctx);
  return { status: a.status, headers: Object.fromEntries(a.headers), json: JSON.parse(a.body) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
};

describe('a subgraph engine', () => {
  it('executes a query with its variables and context, never cacheable', async () => {
    const r = await run({ query: 'query Q($n: String!) { hello(name: $n) }', variables: { n: 'Li' }, operationName: 'Q' });
    expect(r).toEqual({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, json: { data: { hello: 'Li from the gateway' } } });
  });

  it('answers a resolver\'s error through formatError, beside the data that did resolve', async () => {
    const r = await run({ query: '{ broken hello(name: "x") }' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { broken: null, hello: 'x from the gateway' }, errors: [{ message: expect.stringMatching(/^Internal error/), extensions: { code: 'INTERNAL' }, path: ['broken'] }] });
    expect(JSON.stringify(r.json)).not.toContain('secret internal detail');
  });

  it.each([
    [{}, /non-empty "query"/],
    [{ query: '' }, /non-empty "query"/],
    [{ query: 42 }, /non-empty "query"/],
    [{ query: '{ count(n: 1) }', variables: [1] }, /"variables" must be an object/],
    [{ query: '{ count(n: 1) }', operationName: 7 }, /"operationName" must be a string/],
  ])('refuses a body that is not a GraphQL request with 400 BAD_REQUEST (%j)', async (body, message) => {
    const r = await run(body);
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(r.json.errors?.[0]?.message).toMatch(message);
    expect(r.json.data).toBeUndefined();
  });

  it('answers 400 GRAPHQL_PARSE_FAILED for text that is not GraphQL, and GRAPHQL_VALIDATION_FAILED for a field that does not exist', async () => {
    const parse = await run({ query: '{ hello(' });
    expect([parse.status, parse.json.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    const invalid = await run({ query: '{ nothing }' });
    expect([invalid.status, invalid.json.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    // Not kept: the same invalid text is refused again.
    expect((await run({ query: '{ nothing }' })).status).toBe(400);
  });

  it('answers variables that fail their types with 200 and BAD_USER_INPUT (a 400 would read as the department down)', async () => {
    const r = await run({ query: 'query($n: Int!) { count(n: $n) }', variables: { n: 'many' } });
    expect(r.status).toBe(200);
    expect(r.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.json.errors?.[0]?.message).toMatch(/^Variable "\$n" got invalid value "many"/);
    expect(r.json.data).toBeUndefined();
    const missing = await run({ query: 'query($n: Int!) { count(n: $n) }', variables: {} });
    expect([missing.status, missing.json.errors?.[0]?.extensions?.code]).toEqual([200, 'BAD_USER_INPUT']);
  });

  it('answers 400 when the operation cannot be chosen', async () => {
    const r = await run({ query: 'query A { count(n: 1) } query B { count(n: 2) }' });
    expect(r.status).toBe(400);
    expect((await run({ query: 'query A { count(n: 1) } query B { count(n: 2) }', operationName: 'B' })).json).toEqual({ data: { count: 2 } });
  });

  it('asks for the context before reading the text: a refused caller gets its refusal, whatever it sent', async () => {
    const refuse = async (): Promise<{ who: string }> => {
      throw new GraphQLError('Only the gateway may ask.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    };
    for (const query of ['{ count(n: 1) }', '{ hello(', '{ __schema { types { name } } }']) {
      const r = await run({ query }, refuse);
      expect(r).toMatchObject({ status: 401, json: { errors: [{ message: 'Only the gateway may ask.', extensions: { code: 'UNAUTHENTICATED' } }] } });
      expect(r.json.data).toBeUndefined();
    }
  });

  it('answers a refusal without a status of its own (or with one that is not an error status) as 500', async () => {
    for (const http of [undefined, { status: 200 }, { status: 'x' }]) {
      const refuse = async (): Promise<{ who: string }> => {
        throw new GraphQLError('No.', { extensions: { code: 'FORBIDDEN', ...(http ? { http } : {}) } });
      };
      expect((await run({ query: '{ count(n: 1) }' }, refuse)).status).toBe(500);
    }
  });

  it('refuses introspection unless asked to allow it', async () => {
    const off = await run({ query: '{ __schema { queryType { name } } }' });
    expect([off.status, off.json.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    const on = await run({ query: '{ __schema { queryType { name } } }' }, context, createSubgraphEngine({ schema, formatError, introspection: true }));
    expect(on.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('lets beforeAnswer replace the result before it leaves (access records not written)', async () => {
    const withheld = createSubgraphEngine<{ who: string }>({
      schema,
      formatError,
      beforeAnswer: async (ctx, result) => (ctx.who === 'the gateway' && result.data ? { errors: [new GraphQLError('not recorded', { extensions: { code: 'SUPERVISION_UNAVAILABLE' } })] } : result),
    });
    const r = await run({ query: '{ count(n: 3) }' }, context, withheld);
    expect(r).toMatchObject({ status: 200, json: { errors: [{ message: 'not recorded', extensions: { code: 'SUPERVISION_UNAVAILABLE' } }] } });
    expect(r.json.data).toBeUndefined();
  });

  it('keeps at most maxDocuments texts and still answers the ones it let go', async () => {
    const small = createSubgraphEngine<{ who: string }>({ schema, formatError, maxDocuments: 2 });
    for (let round = 0; round < 2; round++) {
      for (const n of [1, 2, 3]) expect((await run({ query: `{ count(n: ${n}) }` }, context, small)).json).toEqual({ data: { count: n } });
    }
  });
});
