/** Literal arguments handed to Apollo as variables: same results, one text for every literal, nothing of ours shown to clients. */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  execute,
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
  type GraphQLInputObjectTypeConfig,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import type { Principal } from '../../core/principal.ts';
import { createAdmission } from '../admission.ts';
import { formatGatewayError } from '../format-error.ts';
import { createLimitResolver } from '../limits/options.ts';
import { literalsAsVariables } from '../literals.ts';
import { createPersistedGate } from '../persisted.ts';
import { startGateway, type RunningGateway } from '../server.ts';

// An enum whose internal values differ from its names: a variable takes the name, as the literal does.
const Colour = new GraphQLEnumType({ name: 'Colour', values: { RED: { value: 'r' }, GREEN: { value: 'g' } } });
const Date_ = new GraphQLScalarType({ name: 'Date', parseLiteral: (ast) => ('value' in ast ? `literal:${String(ast.value)}` : null), parseValue: (v) => `value:${String(v)}` });
const Filter: GraphQLInputObjectType = new GraphQLInputObjectType({
  name: 'Filter',
  fields: () => ({
    name: { type: GraphQLString },
    colours: { type: new GraphQLList(new GraphQLNonNull(Colour)) },
    min: { type: GraphQLInt, defaultValue: 3 },
    nested: { type: Filter },
  }),
} as GraphQLInputObjectTypeConfig);
const Dated = new GraphQLInputObjectType({ name: 'Dated', fields: { on: { type: Date_ } } });
/** Each field answers its arguments as coerced, defaults and explicit nulls included. */
const echoArgs = {
  s: { type: GraphQLString },
  id: { type: GraphQLID },
  i: { type: GraphQLInt },
  f: { type: GraphQLFloat },
  b: { type: GraphQLBoolean },
  c: { type: Colour },
  l: { type: new GraphQLList(GraphQLInt) },
  nn: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))), defaultValue: [] },
  filter: { type: Filter },
  d: { type: GraphQLInt, defaultValue: 7 },
  date: { type: Date_ },
  dated: { type: Dated },
};
const Echo: GraphQLObjectType = new GraphQLObjectType({
  name: 'Echo',
  fields: () => ({
    args: { type: GraphQLString, resolve: (src: { args: unknown }) => JSON.stringify(src.args) },
    echo: { type: Echo, args: echoArgs, resolve: (_src, args) => ({ args }) },
  }),
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      echo: { type: Echo, args: echoArgs, resolve: (_src, args) => ({ args }) },
    },
  }),
});

/** Runs `query` as written and as rewritten; returns both results and the rewrite. */
async function both(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const rewritten = literalsAsVariables(schema, document, variables);
  const original = await execute({ schema, document, variableValues: variables });
  const after = rewritten ? await execute({ schema, document: parse(rewritten.query), variableValues: rewritten.variables }) : original;
  return { original: JSON.parse(JSON.stringify(original)), after: JSON.parse(JSON.stringify(after)), rewritten };
}

describe('literalsAsVariables', () => {
  it.each([
    ['String, with escapes', '{ echo(s: "王立军 \\"x\\" \\u00e9") { args } }', { s: '王立军 "x" é' }],
    ['ID from a string and from an integer', '{ echo(id: "21010219850315231X") { args } a: echo(id: 42) { args } }', { id: '21010219850315231X' }],
    ['Int', '{ echo(i: -5) { args } }', { i: -5 }],
    ['Float from a float and from an integer', '{ echo(f: 1.5) { args } a: echo(f: 2) { args } }', { f: 1.5 }],
    ['Boolean', '{ echo(b: false) { args } }', { b: false }],
    ['an enum with internal values', '{ echo(c: GREEN) { args } }', { c: 'g' }],
    ['a list, and one value where a list is expected', '{ echo(l: [1, null, 3]) { args } a: echo(l: 4) { args } }', { l: [1, null, 3] }],
    ['a non-null list of non-null', '{ echo(nn: ["a", "b"]) { args } }', { nn: ['a', 'b'] }],
    ['an input object: nested, enum list, a field default', '{ echo(filter: { name: "x", colours: [RED, GREEN], nested: { min: 1, colours: RED } }) { args } }', { filter: { name: 'x', colours: ['r', 'g'], min: 3, nested: { min: 1, colours: ['r'] } } }],
    ['explicit nulls', '{ echo(s: null, filter: null, d: null) { args } }', { s: null, filter: null, d: null }],
    ['an argument with a default, given', '{ echo(d: 1) { args } }', { d: 1 }],
  ])('gives the same result for %s', async (_what, query, expected) => {
    const { original, after, rewritten } = await both(query);
    expect(after).toEqual(original);
    expect(original.errors).toBeUndefined();
    expect(JSON.parse(original.data.echo.args)).toMatchObject(expected);
    expect(rewritten?.query).toMatch(/\$__cg0/);
    expect(rewritten?.query).not.toMatch(/echo\([a-z]+: [^$]/);
  });

  it('declares each variable with the argument\'s type and puts the literal\'s value in variables', () => {
    const r = literalsAsVariables(schema, parse('{ echo(id: 42, c: RED, nn: "x", filter: { colours: GREEN }) { echo(i: 1) { args } } }'), undefined);
    expect(r?.query).toMatch(/^query \(\$__cg0: ID, \$__cg1: Colour, \$__cg2: \[String!\]!, \$__cg3: Filter, \$__cg4: Int\)/);
    expect(r?.variables).toEqual({ __cg0: '42', __cg1: 'RED', __cg2: ['x'], __cg3: { colours: ['GREEN'] }, __cg4: 1 });
  });

  it('gives one text for documents that differ only in their literals, whatever their layout of values', () => {
    const a = literalsAsVariables(schema, parse('{ echo(id: "1", l: [1, 2]) { args } }'), null);
    const b = literalsAsVariables(schema, parse('{ echo(id: "2", l: 3) { args } }'), null);
    const c = literalsAsVariables(schema, parse('{ echo(id: null, l: []) { args } }'), null);
    expect(b?.query).toBe(a?.query);
    expect(c?.query).toBe(a?.query);
    expect([a?.variables, b?.variables, c?.variables]).toEqual([{ __cg0: '1', __cg1: [1, 2] }, { __cg0: '2', __cg1: [3] }, { __cg0: null, __cg1: [] }]);
  });

  it('leaves directive arguments as written', async () => {
    const { after, original, rewritten } = await both('{ echo(s: "x") @include(if: true) { args @skip(if: false) } other: echo(s: "y") @skip(if: true) { args } }');
    expect(after).toEqual(original);
    expect(rewritten?.query).toContain('@include(if: true)');
    expect(rewritten?.query).toContain('@skip(if: false)');
    expect(rewritten?.query).toContain('@skip(if: true)');
    expect(rewritten?.variables).toEqual({ __cg0: 'x', __cg1: 'y' });
  });

  it('keeps the client\'s variables, and an argument with a variable inside as written', async () => {
    const { after, original, rewritten } = await both('query Q($i: Int, $c: Colour = GREEN) { echo(i: $i, s: "a", l: [1, $i], filter: { colours: [$c] }) { args } }', { i: 5 });
    expect(after).toEqual(original);
    expect(rewritten?.variables).toEqual({ i: 5, __cg0: 'a' });
    expect(rewritten?.query).toContain('l: [1, $i]');
    expect(rewritten?.query).toContain('query Q($i: Int, $c: Colour = GREEN, $__cg0: String)');
  });

  it('picks another prefix when the client\'s variables already use ours', async () => {
    const { after, original, rewritten } = await both('query ($__cg0: String) { echo(s: $__cg0, i: 1) { args } }', { __cg0: 'mine' });
    expect(after).toEqual(original);
    expect(rewritten?.variables).toEqual({ __cg0: 'mine', __cg1_0: 1 });
    // A variable sent but not declared is not overwritten either.
    expect(literalsAsVariables(schema, parse('{ echo(i: 1) { args } }'), { __cg0: 'x' })?.variables).toEqual({ __cg0: 'x', __cg1_0: 1 });
  });

  it('rewrites inside fragments and inline fragments, once per argument however often it is spread', async () => {
    const { after, original, rewritten } = await both('{ ...F ... on Query { a: echo(i: 2) { args } } } fragment F on Query { echo(i: 1) { ...G } } fragment G on Echo { echo(s: "g") { args } }');
    expect(after).toEqual(original);
    expect(Object.keys(rewritten?.variables ?? {})).toHaveLength(3);
  });

  it('keeps custom scalars as written (the subgraph checks them), rewriting the other arguments', async () => {
    const { after, original, rewritten } = await both('{ echo(date: "2024-01-01", i: 1, dated: { on: "x" }) { args } }');
    expect(after).toEqual(original);
    expect(JSON.parse(after.data.echo.args).date).toBe('literal:2024-01-01');
    expect(rewritten?.query).toContain('date: "2024-01-01"');
    expect(rewritten?.variables).toEqual({ __cg0: 1 });
  });

  it('leaves a document alone when it has several operations, no literal, or a literal that does not coerce', () => {
    expect(literalsAsVariables(schema, parse('query A { echo(i: 1) { args } } query B { echo(i: 2) { args } }'), null)).toBeNull();
    expect(literalsAsVariables(schema, parse('query ($i: Int) { echo(i: $i) @skip(if: false) { args } }'), { i: 1 })).toBeNull();
    // Validation refuses this before; were it not to, the request would still not change.
    expect(literalsAsVariables(schema, parse('{ echo(i: "x") { args } }'), null)).toBeNull();
    expect(literalsAsVariables(schema, parse('{ echo(c: BLUE) { args } }'), null)).toBeNull();
  });
});

describe('admission', () => {
  const principal: Principal = { sub: 'admin-test', role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null } as Principal;
  const logger = createLogger({ service: 'gateway', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const admitWith = (literals: boolean, caller = principal) =>
    createAdmission({
      authenticate: async () => caller,
      limitsFor: createLimitResolver(),
      rateLimiter: { consume: async () => {}, close: async () => {} },
      persisted: createPersistedGate({ manifests: new Map([['hotel', new Map([['h1', '{ echo(s: "registered") { args } }']])]]) }),
      schema: () => schema,
      development: false,
      literalsAsVariables: literals,
      logger,
    });
  const req = { headers: {}, socket: { remoteAddress: '127.0.0.1' } } as never;
  const res = { setHeader() {} } as never;

  it('hands on the rewritten text and variables once every check has passed', async () => {
    const { body } = await admitWith(true)(req, { query: '{ echo(s: "a") { args } }', operationName: null }, res);
    expect(body).toEqual({ query: 'query ($__cg0: String) {\n  echo(s: $__cg0) {\n    args\n  }\n}', variables: { __cg0: 'a' }, operationName: null });
  });

  it('hands on a body it does not rewrite byte for byte: switched off, several operations, no literal', async () => {
    for (const [literals, body] of [
      [false, { query: '{ echo(s: "a") { args } }' }],
      [true, { query: 'query A { echo(i: 1) { args } }\nquery B { echo(i: 2) { args } }', operationName: 'B' }],
      [true, { query: 'query ($s: String) {   echo(s: $s) { args } }', variables: { s: 'a' } }],
    ] as const) {
      const admitted = await admitWith(literals)(req, { ...body }, res);
      expect(admitted.body).toEqual(body);
      expect(admitted.body.query).toBe(body.query);
    }
  });

  it('refuses with messages about the client\'s own text', async () => {
    const refusal = await admitWith(true)(req, { query: '{ echo(c: BLUE, i: 1) { args } }' }, res).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
    expect((refusal as Error).message).toContain('BLUE');
    expect((refusal as Error).message).not.toContain('__cg');
  });

  it('rewrites a persisted operation\'s text too', async () => {
    const { body } = await admitWith(true, { ...principal, client: 'hotel' })(req, { extensions: { persistedQuery: { version: 1, sha256Hash: 'h1' } } }, res);
    expect(body).toEqual({ query: 'query ($__cg0: String) {\n  echo(s: $__cg0) {\n    args\n  }\n}', variables: { __cg0: 'registered' } });
  });
});

describe('errors a client sees', () => {
  it('carry no locations and never name a variable of ours', () => {
    const e = formatGatewayError({ message: 'Variable "$__cg0" got invalid value "x"; Int cannot represent non-integer value: "x"', locations: [{ line: 1, column: 8 }], extensions: { code: 'BAD_USER_INPUT' } });
    expect(e).toEqual({ path: undefined, message: 'An argument got invalid value "x"; Int cannot represent non-integer value: "x"', extensions: { code: 'BAD_USER_INPUT' } });
    expect(formatGatewayError({ message: 'Argument "id" was provided the variable "$__cg1_0" of the wrong type.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }).message).toBe('Argument "id" was provided the variable an argument of the wrong type.');
    expect(formatGatewayError({ message: 'Variable "$id" got invalid value 1.', extensions: { code: 'BAD_USER_INPUT' } }).message).toBe('Variable "$id" got invalid value 1.');
  });
});

describe('through a running gateway', () => {
  const people: Record<string, { id: string; name: string; gender: string }> = {
    '21010219850315231X': { id: '21010219850315231X', name: '王立军', gender: 'MALE' },
    '210102199001011234': { id: '210102199001011234', name: '李娜', gender: 'FEMALE' },
  };
  const typeDefs = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    enum Gender { MALE FEMALE }
    type Query { citizen(id: ID!): Citizen  citizens(ids: [ID!]!, gender: Gender): [Citizen!]! }
    type Citizen @key(fields: "id") { id: ID! name: String gender: Gender }
  `);
  const subgraphSchema = buildSubgraphSchema([{
    typeDefs,
    resolvers: {
      Query: {
        citizen: (_: unknown, { id }: { id: string }) => {
          if (!people[id]) throw new GraphQLError('No citizen has this ID.', { extensions: { code: 'NOT_FOUND' } });
          return people[id];
        },
        citizens: (_: unknown, { ids, gender }: { ids: string[]; gender?: string }) => ids.map((id) => people[id]).filter((p) => p && (!gender || p.gender === gender)),
      },
    } as never,
  }]);
  /** What the subgraph was sent: the gateway's plan reaches it with our variables. */
  const received: Array<{ query: string; variables?: Record<string, unknown> }> = [];
  let subgraph: Server;
  let gateway: RunningGateway;
  let lines: string[];

  beforeAll(async () => {
    subgraph = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c));
      req.on('end', async () => {
        const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
        received.push(body);
        const result = await execute({ schema: subgraphSchema, document: parse(body.query), variableValues: body.variables });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      });
    });
    await new Promise<void>((r) => subgraph.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/`;
    const composed = composeServices([{ name: 'population', url, typeDefs }]);
    if (composed.errors) throw composed.errors[0];
    lines = [];
    gateway = await startGateway({
      port: 0,
      supergraphSdl: composed.supergraphSdl,
      authenticator: { authenticate: async () => ({ sub: 'admin-test', role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null }) as Principal },
      principalPrivateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      logger: createLogger({ service: 'gateway', level: 'info', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) }),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((r) => (subgraph.closeAllConnections(), subgraph.close(r)));
  });

  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; locations?: unknown; extensions?: Record<string, unknown> }> } };
  };

  it('gives two citizens asked with inline IDs at once each their own answer, through one text', async () => {
    received.length = 0;
    const [a, b] = await Promise.all(Object.keys(people).map((id) => post({ query: `{ citizen(id: "${id}") { id name gender } }` })));
    expect(a!.body).toEqual({ data: { citizen: people['21010219850315231X'] } });
    expect(b!.body).toEqual({ data: { citizen: people['210102199001011234'] } });
    expect(new Set(received.map((r) => r.query)).size).toBe(1);
    expect(received.map((r) => r.variables?.__cg0).sort()).toEqual(Object.keys(people).sort());
  });

  it('answers lists and enums as written inline', async () => {
    const r = await post({ query: `{ citizens(ids: ["21010219850315231X", "210102199001011234"], gender: FEMALE) { name } }` });
    expect(r.body).toEqual({ data: { citizens: [{ name: '李娜' }] } });
  });

  it('names none of our variables in an error, for a missing citizen or a bad enum', async () => {
    const missing = await post({ query: '{ citizen(id: "000000000000000000") { name } }' });
    expect(missing.body.data).toEqual({ citizen: null });
    expect(missing.body.errors?.[0]).toMatchObject({ message: 'No citizen has this ID.', path: ['citizen'], extensions: { code: 'NOT_FOUND' } });
    const badEnum = await post({ query: '{ citizens(ids: ["x"], gender: OTHER) { name } }' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await post({ query: 'query ($g: Gender) { citizens(ids: ["x"], gender: $g) { name } }', variables: { g: 'OTHER' } });
    expect(badVariable.body.errors?.[0]?.message).toMatch(/^Variable "\$g" got invalid value "OTHER"/);
    for (const r of [missing, badEnum, badVariable]) {
      expect(JSON.stringify(r.body)).not.toContain('__cg');
      for (const e of r.body.errors ?? []) expect(e.locations).toBeUndefined();
    }
  });
});
