/**
 * Abusive requests against a whole city run with NODE_ENV=production, as an attacker would send them:
 * every one is refused with a 4xx, a JSON body and a code, no legacy system is called, and
 * `{ __typename }` still answers after each. Rate limits are counted in the Redis on 127.0.0.1:6379,
 * shared by two gateways.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildClientSchema, getIntrospectionQuery } from 'graphql';
import { Redis } from 'ioredis';
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { ACCESS_TABLE_FILE, parseAccessTable } from '../scripts/lib/access-table.ts';
import { launch, type Service } from '../scripts/lib/processes.ts';
import type { Caller } from './support/access.ts';
import { idPool, leakedFields, operationArbitrary } from './support/fuzz.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Fresh client names per run, so counters left in Redis by an earlier run never interfere. */
const run = randomBytes(4).toString('hex');
const RATE_CLIENT = `rl-${run}`;
const REDIS_PREFIX = `citygraph-test-${run}`;

let t: TestCity;
let second: Service;
let citizen: string;
let admin: string;
let hotelKey: string;

const LIMITS = {
  // The property test below sends thousands of requests per caller: the default allowance is lifted here.
  default: { principalRate: { points: 100_000, durationSec: 60 }, clientRate: { points: 100_000, durationSec: 60 } },
  roles: { citizen: { operation: { maxCost: 300, maxRootFields: 5 } } },
  clients: { [RATE_CLIENT]: { principalRate: { points: 3, durationSec: 60 }, clientRate: { points: 5, durationSec: 60 } } },
};

beforeAll(async () => {
  const gatewayEnv = { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: REDIS_PREFIX, GATEWAY_LIMITS: JSON.stringify(LIMITS), GATEWAY_REQUEST_TIMEOUT_MS: '1500' };
  t = await startTestCity({ env: { LOG_LEVEL: 'info', NODE_ENV: 'production' }, serviceEnv: { gateway: gatewayEnv } });
  // A second gateway on the same subgraphs and the same Redis: rate limits must hold across both.
  second = await launch({ name: 'gateway-2', entry: 'gateway/main.ts', env: { ...t.city.envOf('gateway'), PORT: '0' } });
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  admin = await t.token({ role: 'admin', sub: 'admin-abuse' });
  hotelKey = issueApiKey(join(t.dataDir, 'api-keys.json'), { client: 'hotel', scopes: ['identity:verify'], purpose: 'check-in' }).key;
}, 120_000);
afterAll(async () => {
  await second?.stop();
  await t?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

async function post(body: unknown, headers: Record<string, string> = {}, url = t.city.gatewayUrl): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unparsed: text.slice(0, 200) };
  }
  return { status: res.status, headers: res.headers, json };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A refusal: the status, a JSON body whose first error has the code, no data, nothing internal. */
function expectRefused(r: Answer, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.errors?.[0]?.extensions?.code, JSON.stringify(r.json)).toBe(code);
  expect(r.json.data ?? undefined).toBeUndefined();
  expect(JSON.stringify(r.json)).not.toMatch(/node_modules|\/work\/|at [A-Za-z]+ \(|127\.0\.0\.1/);
}

/** The gateway still serves the next request. */
async function expectAlive(): Promise<void> {
  const r = await post({ query: '{ __typename }' });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ data: { __typename: 'Query' } });
}

describe('operation limits, before any subgraph is called', () => {
  const cases: Array<[string, () => Promise<Answer>, number, string, string?]> = [
    ['101 aliases of __typename', () => post({ query: `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: __typename`).join(' ')} }` }), 400, 'LIMIT_EXCEEDED', 'maxAliases'],
    ['one field repeated 500 times', () => post({ query: `{ citizen(id: "${DEMO_CITIZEN_ID}") { ${'name '.repeat(500)}} }` }, bearer(citizen)), 400, 'LIMIT_EXCEEDED', 'maxFieldRepeats'],
    ['__typename 500 times at the root', () => post({ query: `{ ${'__typename '.repeat(500)}}` }), 400, 'LIMIT_EXCEEDED', 'maxRootFields'],
    ['a 7,000-token query', () => post({ query: `{ ${'a '.repeat(7000)}}` }), 400, 'LIMIT_EXCEEDED', 'maxTokens'],
    ['nesting 13 levels deep', () => post({ query: `{ ${'a { '.repeat(13)}b${' }'.repeat(13)} }` }), 400, 'LIMIT_EXCEEDED', 'maxDepth'],
    ['6 root fields from a citizen (the citizen role\'s limit is 5)', () => post({ query: `{ ${Array.from({ length: 6 }, (_, i) => `c${i}: citizen(id: "${DEMO_CITIZEN_ID}") { id }`).join(' ')} }` }, bearer(citizen)), 400, 'LIMIT_EXCEEDED', 'maxRootFields'],
    ['31 directives', () => post({ query: `{ __typename ${'@include(if: true) '.repeat(31)}}` }), 400, 'LIMIT_EXCEEDED', 'maxDirectives'],
    ['25 KB of query text', () => post({ query: `{ __typename } # ${'x'.repeat(25_000)}` }), 400, 'LIMIT_EXCEEDED', 'maxQueryBytes'],
    [
      'a citizen over the citizen role\'s cost limit (50 IDs)',
      () => post({ query: 'query($ids: [ID!]!) { citizens(ids: $ids) { id name gender birthDate address { district } } }', variables: { ids: listCitizenIds(50) } }, bearer(citizen)),
      400,
      'LIMIT_EXCEEDED',
      'maxCost',
    ],
    ['an unknown operationName', () => post({ query: 'query A { __typename }', operationName: 'B' }), 400, 'OPERATION_NAME_UNKNOWN'],
    ['two operations and no operationName', () => post({ query: 'query A { __typename } query B { __typename }' }), 400, 'OPERATION_NAME_UNKNOWN'],
    ['a fragment cycle', () => post({ query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a syntax error', () => post({ query: '{ citizen(' }), 400, 'GRAPHQL_PARSE_FAILED'],
  ];
  for (const [what, send, status, code, limit] of cases) {
    it(`refuses ${what} with ${status} ${code}${limit ? ` (${limit})` : ''}, and serves the next request`, async () => {
      await t.resetStats();
      const r = await send();
      expectRefused(r, status, code);
      if (limit) expect(r.json.errors[0].extensions.details.limit).toBe(limit);
      expect((await t.stats('population-standin')).requests).toBe(0);
      expect((await t.stats('medicalInsurance-standin')).requests).toBe(0);
      await expectAlive();
    });
  }

  it('applies limits per role: the 50-ID query refused to a citizen runs for an admin', async () => {
    const r = await post({ query: 'query($ids: [ID!]!) { citizens(ids: $ids) { id name gender birthDate address { district } } }', variables: { ids: listCitizenIds(50) } }, bearer(admin));
    expect(r.status).toBe(200);
    expect(r.json.data.citizens).toHaveLength(50);
  });

  it('answers variables of the wrong type with a 4xx and a code, nothing executed', async () => {
    await t.resetStats();
    const r = await post({ query: 'query($ids: [ID!]!) { citizens(ids: $ids) { id } }', variables: { ids: { not: 'a list' } } }, bearer(admin));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.json.errors[0].extensions.code).toMatch(/^[A-Z_]+$/);
    expect((await t.stats('population-standin')).requests).toBe(0);
    await expectAlive();
  });
});

describe('introspection and schema details', () => {
  it('refuses introspection to anonymous callers and citizens, an aliased __type included', async () => {
    expectRefused(await post({ query: '{ __schema { types { name } } }' }), 403, 'INTROSPECTION_DISABLED');
    expectRefused(await post({ query: '{ t: __type(name: "Citizen") { fields { name } } }' }, bearer(citizen)), 403, 'INTROSPECTION_DISABLED');
    expectRefused(await post({ query: '{ ...F } fragment F on Query { x: __schema { queryType { name } } }' }, bearer(citizen)), 403, 'INTROSPECTION_DISABLED');
    await expectAlive();
  });

  it('answers introspection for an admin', async () => {
    const r = await post({ query: '{ __type(name: "Citizen") { name } }' }, bearer(admin));
    expect(r.status).toBe(200);
    expect(r.json.data.__type.name).toBe('Citizen');
  });

  it('hides field suggestions and schema names from a citizen, shows them to an admin', async () => {
    const query = `{ citizen(id: "${DEMO_CITIZEN_ID}") { nam } }`;
    const hidden = await post({ query }, bearer(citizen));
    expectRefused(hidden, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(hidden.json.errors[0].message).not.toMatch(/Did you mean|"name"|Citizen/);
    const shown = await post({ query }, bearer(admin));
    expect(shown.json.errors[0].message).toMatch(/Did you mean "name"/);
  });
});

describe('HTTP hygiene', () => {
  it('answers a 12 MB body with 413 and a JSON body that the client reads before the connection closes', async () => {
    const r = await post({ query: `{ __typename } # ${'x'.repeat(12 * 1024 * 1024)}` });
    expectRefused(r, 413, 'LIMIT_EXCEEDED');
    expect(r.json.errors[0].extensions.details).toMatchObject({ limit: 'bodyBytes' });
    await expectAlive();
  });

  it('answers a 60 MB body sent in chunks without a length with 413 too', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(t.city.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 60) {
          sent++;
          if (!req.write(chunk)) return req.once('drain', pump);
        }
        req.end();
      };
      req.write('{"query":"{ __typename }","pad":"');
      pump();
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    await expectAlive();
  });

  it('refuses malformed JSON, a JSON array (batching) and a body that is not an object', async () => {
    expectRefused(await post('{"query": '), 400, 'BAD_REQUEST');
    expectRefused(await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 400, 'BATCHING_DISABLED');
    expectRefused(await post('"{ __typename }"'), 400, 'BAD_REQUEST');
    expectRefused(await post({ query: '{ __typename }', variables: 'x' }), 400, 'BAD_REQUEST');
    await expectAlive();
  });

  it('refuses the simple requests a foreign page can send (CSRF): GET, form and text bodies', async () => {
    const get = await fetch(`${t.city.gatewayUrl}?query=${encodeURIComponent('mutation { __typename }')}`);
    expect(get.status).toBe(405);
    expect((await get.json()).errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expectRefused(await post({ query: '{ __typename }' }, { 'content-type': type }), 415, 'BAD_REQUEST');
    }
    await expectAlive();
  });

  it('refuses a forged credential with 401 and ignores forged identity headers', async () => {
    expectRefused(await post({ query: '{ __typename }' }, { authorization: 'Bearer forged.token.here' }), 401, 'UNAUTHENTICATED');
    const forged = await post(
      { query: `{ citizen(id: "${DEMO_CITIZEN_ID}") { name } }` },
      { 'x-citygraph-principal': 'eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.', 'x-user-role': 'admin', 'x-forwarded-user': 'admin', 'x-role': 'admin' },
    );
    expect(forged.json.data?.citizen ?? null).toBeNull();
    expect(forged.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await expectAlive();
  });

  it('drops a slow-loris client that trickles its headers, and keeps serving', async () => {
    const started = Date.now();
    const closed = await new Promise<string>((resolve) => {
      const url = new URL(t.city.gatewayUrl);
      const socket = connect(Number(url.port), url.hostname, () => socket.write('POST / HTTP/1.1\r\nHost: x\r\n'));
      let answer = '';
      const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      socket.on('data', (d) => (answer += String(d)));
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(answer);
      });
      socket.on('error', () => {});
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(closed).toMatch(/^HTTP\/1\.1 408|^$/);
    await expectAlive();
  });

  it('never answers a query plan or a stack trace', async () => {
    const r = await post({ query: `{ citizen(id: "${DEMO_CITIZEN_ID}") { name insurance { status } } }` }, { ...bearer(citizen), 'apollo-query-plan-experimental': '1' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).not.toMatch(/queryPlan|stacktrace/i);
  });
});

describe('pages in production', () => {
  const get = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(new URL(path, t.city.gatewayUrl), { redirect: 'manual', ...init });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };

  it('has no GraphiQL: /graphiql and its files are 404, as if they never existed', async () => {
    for (const path of ['/graphiql', '/graphiql/', '/graphiql/boot.js', '/graphiql/vendor/graphiql.js', '/graphiql/vendor/react.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(JSON.parse(r.text).errors[0].extensions.code).toBe('NOT_FOUND');
      expect(r.text).not.toMatch(/graphiql\.min|React/);
    }
  });

  it('has no development sign-in: minting a token is 404 and the console is told so', async () => {
    const minted = await get('/console/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' });
    expect(minted.status).toBe(404);
    expect(minted.text).not.toMatch(/eyJ/);
    expect(JSON.parse((await get('/console/config.json')).text)).toEqual({ client: 'citygraph-console', devSignIn: false, graphiql: false });
  });

  it('serves the console with a strict content security policy, and nothing outside its folder', async () => {
    const page = await get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const path of ['/console/..%2f..%2fpackage.json', '/console/..%5c..%5cpackage.json', '/console/%00']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.text).not.toMatch(/citygraph|dependencies/);
    }
  });
});

describe('persisted operations (trusted documents)', () => {
  const VERIFY = 'query Verify($id: ID!, $name: String!) { verifyIdentity(id: $id, name: $name) { match } }';
  const VERIFY_HASH = 'a'.repeat(64);

  beforeAll(async () => {
    const dir = join(t.dataDir, 'persisted-operations');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hotel.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: VERIFY_HASH, name: 'Verify', type: 'query', body: VERIFY }] }));
    // The gateway re-reads the folder within a second.
    await new Promise((r) => setTimeout(r, 1200));
  });

  it('refuses an integrator\'s ad-hoc operation in production', async () => {
    expectRefused(await post({ query: VERIFY, variables: { id: DEMO_CITIZEN_ID, name: '王立军' } }, { [API_KEY_HEADER]: hotelKey }), 403, 'PERSISTED_OPERATION_REQUIRED');
    await expectAlive();
  });

  it('runs the operation registered for the integrator\'s client by its hash (Apollo manifest, documentId)', async () => {
    const byApollo = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: VERIFY_HASH } }, variables: { id: DEMO_CITIZEN_ID, name: '王立军' } }, { [API_KEY_HEADER]: hotelKey });
    expect(byApollo.status).toBe(200);
    expect(byApollo.json.data).toEqual({ verifyIdentity: { match: true } });
    const byId = await post({ documentId: `sha256:${VERIFY_HASH}`, variables: { id: DEMO_CITIZEN_ID, name: '李四' } }, { [API_KEY_HEADER]: hotelKey });
    expect(byId.json.data).toEqual({ verifyIdentity: { match: false } });
  });

  it('refuses an unknown hash with PERSISTED_OPERATION_NOT_FOUND', async () => {
    expectRefused(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }, { [API_KEY_HEADER]: hotelKey }), 400, 'PERSISTED_OPERATION_NOT_FOUND');
    await expectAlive();
  });

  it('lets app teams send ad-hoc operations', async () => {
    const r = await post({ query: `{ citizen(id: "${DEMO_CITIZEN_ID}") { name } }` }, bearer(citizen));
    expect(r.json.data.citizen.name).toBe('王立军');
  });
});

describe('rate limits in Redis, shared by two gateways', () => {
  it('gives a principal 3 requests a minute across both gateways, then 429 with Retry-After and RATE_LIMITED', async () => {
    const token = await t.token({ role: 'app', sub: `app-a-${run}`, client: RATE_CLIENT, onBehalfOf: DEMO_CITIZEN_ID });
    const urls = [t.city.gatewayUrl, second.url, t.city.gatewayUrl];
    for (const url of urls) expect((await post({ query: '{ __typename }' }, bearer(token), url)).status).toBe(200);
    const refused = await post({ query: '{ __typename }' }, bearer(token), second.url);
    expectRefused(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json.errors[0].extensions.details).toMatchObject({ scope: 'principal', limit: 3 });
  });

  it('gives the client 5 requests a minute over all its principals', async () => {
    const other = await t.token({ role: 'app', sub: `app-b-${run}`, client: RATE_CLIENT, onBehalfOf: DEMO_CITIZEN_ID });
    // The first test spent 3 of the client's 5 (its 4th was refused before the client was counted).
    for (let i = 0; i < 2; i++) expect((await post({ query: '{ __typename }' }, bearer(other))).status).toBe(200);
    const refused = await post({ query: '{ __typename }' }, bearer(other), second.url);
    expectRefused(refused, 429, 'RATE_LIMITED');
    expect(refused.json.errors[0].extensions.details).toMatchObject({ scope: 'client', limit: 5 });
  });

  it('keeps its counters in Redis', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${REDIS_PREFIX}:*`);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('serves other callers meanwhile', async () => {
    await expectAlive();
  });
});

describe('property: operations generated from the graph, valid and malformed, under every role', () => {
  const RUNS_PER_CALLER = Number(process.env.FUZZ_RUNS ?? 200);
  const callers: Array<Caller & { headers: () => Promise<Record<string, string>> }> = [
    { label: 'anonymous', role: 'anonymous', scopes: [], department: null, own: null, headers: async () => ({}) },
    { label: 'citizen', role: 'citizen', scopes: [], department: null, own: DEMO_CITIZEN_ID, headers: async () => bearer(citizen) },
    { label: 'enterprise', role: 'enterprise', scopes: [], department: null, own: null, headers: async () => bearer(await t.token({ role: 'enterprise', sub: '91210102MA0Y8D2Q44' })) },
    { label: 'population staff', role: 'staff', scopes: [], department: 'population', own: null, headers: async () => bearer(await t.token({ role: 'staff', sub: 'staff-fuzz', department: 'population' })) },
    { label: 'app with every scope', role: 'app', scopes: ['citizen:read', 'insurance:read', 'contact:write'], department: null, own: DEMO_CITIZEN_ID, headers: async () => bearer(await t.token({ role: 'app', sub: 'app-fuzz', scopes: ['citizen:read', 'insurance:read', 'contact:write'], onBehalfOf: DEMO_CITIZEN_ID })) },
    { label: 'app without scopes', role: 'app', scopes: [], department: null, own: DEMO_CITIZEN_ID, headers: async () => bearer(await t.token({ role: 'app', sub: 'app-fuzz-2', onBehalfOf: DEMO_CITIZEN_ID })) },
    { label: 'integrator (hotel)', role: 'integrator', scopes: ['identity:verify'], department: null, own: null, headers: async () => ({ [API_KEY_HEADER]: hotelKey }) },
    { label: 'auditor', role: 'auditor', scopes: [], department: null, own: null, headers: async () => bearer(await t.token({ role: 'auditor', sub: 'auditor-fuzz' })) },
    { label: 'admin', role: 'admin', scopes: [], department: null, own: null, headers: async () => bearer(admin) },
  ];

  it('has a leak check that sees a denied field carrying data (the check itself is tested)', async () => {
    const schema = buildClientSchema((await post({ query: getIntrospectionQuery() }, bearer(admin))).json.data);
    const table = parseAccessTable(readFileSync(ACCESS_TABLE_FILE, 'utf8'));
    const [anonymous, asCitizen] = [callers[0]!, callers[1]!];
    const other = listCitizenIds(3).find((id) => id !== DEMO_CITIZEN_ID)!;
    const op = (id: string) => ({ query: `{ citizen(id: "${id}") { name } }`, variables: {} });
    expect(leakedFields(schema, table, anonymous, op(DEMO_CITIZEN_ID), { citizen: { name: '王立军' } })).toEqual([`Query.citizen for ${DEMO_CITIZEN_ID}`, `Citizen.name for ${DEMO_CITIZEN_ID}`]);
    expect(leakedFields(schema, table, asCitizen, op(DEMO_CITIZEN_ID), { citizen: { name: '王立军' } })).toEqual([]);
    expect(leakedFields(schema, table, asCitizen, op(other), { citizen: { name: 'x' } })).toContain(`Citizen.name for ${other}`);
    expect(leakedFields(schema, table, asCitizen, op(other), { citizen: null })).toEqual([]);
  });

  it(`never answers 5xx, never lets a field the role may not read carry data, and serves the next request (${RUNS_PER_CALLER} operations per caller)`, async () => {
    const schema = buildClientSchema((await post({ query: getIntrospectionQuery() }, bearer(admin))).json.data);
    const table = parseAccessTable(readFileSync(ACCESS_TABLE_FILE, 'utf8'));
    const ids = idPool([DEMO_CITIZEN_ID, ...listCitizenIds(3)]);
    const statuses = new Map<number, number>();
    for (const caller of callers) {
      const headers = await caller.headers();
      await fc.assert(
        fc.asyncProperty(operationArbitrary(schema, ids), async (op) => {
          const r = await post(op, headers);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(r.status, `${caller.label}: ${op.query} ${JSON.stringify(op.variables)} → ${JSON.stringify(r.json)}`).toBeLessThan(500);
          for (const e of r.json.errors ?? []) expect(typeof e.extensions?.code, JSON.stringify(e)).toBe('string');
          expect(JSON.stringify(r.json)).not.toMatch(/node_modules|\/work\/|at [A-Za-z]+ \(|127\.0\.0\.1/);
          expect(leakedFields(schema, table, caller, op, r.json.data), `${caller.label}: ${op.query} ${JSON.stringify(op.variables)}`).toEqual([]);
        }),
        { numRuns: RUNS_PER_CALLER },
      );
      await expectAlive();
    }
    // Both kinds were generated: answered operations and refused ones.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS_PER_CALLER);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 600_000);
});

describe('graphql-http server audit', () => {
  it('meets every MUST, and every SHOULD but those the README lists', async () => {
    // Several audits read `__type`, which production opens to admins only: the audit runs as an admin.
    const asAdmin = (input: RequestInfo | URL, init: RequestInit = {}) => fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(admin) } });
    const results = await auditServer({ url: t.city.gatewayUrl, fetchFn: asAdmin });
    const failed = results.filter((r) => r.status !== 'ok');
    const musts = failed.filter((r) => r.name.startsWith('MUST'));
    expect(musts.map((r) => r.name)).toEqual([]);
    const shoulds = failed.filter((r) => r.name.startsWith('SHOULD')).map((r) => r.name).sort();
    expect(shoulds).toEqual([...KNOWN_SHOULDS].sort());
    // The MAYs left are GET requests, which this gateway never accepts (CSRF, mutations over GET).
    for (const r of failed.filter((f) => f.name.startsWith('MAY'))) expect(r.name).toMatch(/GET/);
  }, 60_000);
});

/**
 * SHOULDs left unmet on purpose, explained in the README ("Limits, rate limits and deadlines"): for a
 * client accepting only `application/json` the spec prefers 200 for a refused document; CityGraph
 * answers every refusal with a 4xx and a code, whatever the client accepts, so proxies and dashboards see it.
 */
const KNOWN_SHOULDS: string[] = [
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
];
