/** A subgraph that never answers: the gateway aborts its call at the request's deadline and answers with a code, not a hang. */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { subgraphCallDuration } from '../../core/metrics.ts';
import type { Principal } from '../../core/principal.ts';
import { DEADLINE_HEADER } from '../../core/request-scope.ts';
import { startGateway, type RunningGateway } from '../server.ts';

const DEADLINE_MS = 400;
/** Room for the abort, the plan's merge and the answer to travel: far below the 3 s default and any socket timeout. */
const SLACK_MS = 1500;

/** One call a fake subgraph received: its headers, and when its connection closed unanswered. */
interface Call {
  headers: IncomingHttpHeaders;
  closed: Promise<number>;
}

/** A subgraph on node:http that executes `schema`, or, while `hang` is set, reads the call and never answers (while `fail` is set, answers 502 at once). */
function fakeSubgraph(schema: GraphQLSchema) {
  const calls: Call[] = [];
  const state = { hang: false, fail: false };
  const server: Server = createServer((req, res) => {
    let text = '';
    let closedAt: (t: number) => void = () => {};
    calls.push({ headers: req.headers, closed: new Promise((r) => (closedAt = r)) });
    // The socket closing under an unfinished response: the caller gave the call up, it did not merely stop waiting.
    res.once('close', () => {
      if (!res.writableFinished) closedAt(Date.now());
    });
    req.on('data', (c: Buffer) => (text += c));
    req.on('end', async () => {
      if (state.hang) return;
      if (state.fail) return void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
      const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
      const result = await execute({ schema, document: parse(body.query), variableValues: body.variables });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });
  });
  return { server, calls, state };
}

const populationDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { citizen(id: ID!): Citizen }
  type Citizen @key(fields: "id") { id: ID! name: String }
`);
const parkingDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { freeSpaces: Int }
`);
const subgraphSchema = (typeDefs: DocumentNode, Query: Record<string, () => unknown>) => buildSubgraphSchema([{ typeDefs, resolvers: { Query } as never }]);

describe('a subgraph that never answers', () => {
  const population = fakeSubgraph(subgraphSchema(populationDefs, { citizen: () => ({ id: '21010219850315231X', name: '王立军' }) }));
  const parking = fakeSubgraph(subgraphSchema(parkingDefs, { freeSpaces: () => 12 }));
  const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  let gateway: RunningGateway;
  let lines: string[];
  const admin: Principal = { sub: 'admin-test', role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null };
  // Who asks: an admin (calls never shared) unless a test says otherwise.
  let caller = admin;

  beforeAll(async () => {
    for (const s of [population.server, parking.server]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const composed = composeServices([
      { name: 'population', url: urlOf(population.server), typeDefs: populationDefs },
      { name: 'parking', url: urlOf(parking.server), typeDefs: parkingDefs },
    ]);
    if (composed.errors) throw composed.errors[0];
    lines = [];
    gateway = await startGateway({
      port: 0,
      supergraphSdl: composed.supergraphSdl,
      deadlineMs: DEADLINE_MS,
      authenticator: { authenticate: async () => caller },
      principalPrivateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      logger: createLogger({ service: 'gateway', level: 'info', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) }),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    for (const s of [population.server, parking.server]) await new Promise((r) => (s.closeAllConnections(), s.close(r)));
  });

  /** Posts `query`; gives the status, body text and milliseconds taken. The client's own timeout only keeps a hang from stalling the file. */
  const post = async (query: string) => {
    const started = Date.now();
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(DEADLINE_MS + SLACK_MS + 2000) });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> }, ms: Date.now() - started, started };
  };
  /** `p`'s value, or undefined when it has not settled within `ms`. */
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<undefined>((r) => setTimeout(r, ms))]);

  it('is answered at the deadline with SUBGRAPH_TIMEOUT for its field, the healthy department\'s data kept', async () => {
    population.state.hang = true;
    const r = await post('{ citizen(id: "21010219850315231X") { name } freeSpaces }');
    expect(r.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(r.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ citizen: null, freeSpaces: 12 });
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({
      message: 'The population service did not answer within this request\'s time limit; try again, or ask for less at once.',
      extensions: { code: 'SUBGRAPH_TIMEOUT', department: 'population' },
    });
    expect(Object.keys(r.body.errors![0]!.extensions!).sort()).toEqual(['code', 'department', 'requestId']);
    // The operator's metric says so too: a call timed out, not failed.
    const counts = (await subgraphCallDuration.get()).values.filter((v) => v.metricName?.endsWith('_count') && v.labels.subgraph === 'population');
    expect(counts.find((v) => v.labels.outcome === 'timeout')?.value).toBeGreaterThanOrEqual(1);
    expect(counts.find((v) => v.labels.outcome === 'failed')).toBeUndefined();
  });

  it('tells a subgraph that fails apart from one that is slow: SUBGRAPH_UNAVAILABLE, at once', async () => {
    population.state.hang = false;
    population.state.fail = true;
    try {
      const r = await post('{ citizen(id: "21010219850315231X") { name } freeSpaces }');
      expect(r.ms).toBeLessThan(DEADLINE_MS);
      expect(r.body.data).toEqual({ citizen: null, freeSpaces: 12 });
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0]).toMatchObject({
        message: 'The population service could not answer this part of the request.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', department: 'population' },
      });
      expect(r.text).not.toContain('Bad Gateway');
    } finally {
      population.state.fail = false;
    }
  });

  it('shows the client no URL, address, port, stack or abort reason of the subgraph', async () => {
    population.state.hang = true;
    const r = await post('{ citizen(id: "21010219850315231X") { name } }');
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_TIMEOUT');
    const port = String((population.server.address() as AddressInfo).port);
    for (const secret of [urlOf(population.server), '127.0.0.1', `:${port}`, 'http://', 'stacktrace', '    at ', 'TimeoutError', 'AbortError', 'deadline passed', 'ECONN']) {
      expect(r.text).not.toContain(secret);
    }
    // The operator's log has the reason, under the same request id.
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'subgraph could not answer' && l.requestId === r.body.errors![0]!.extensions!.requestId);
    expect(warning).toMatchObject({ department: 'population', reason: 'The request\'s deadline passed.' });
  });

  it('aborts the call itself: the subgraph sees its connection closed at the deadline', async () => {
    population.state.hang = true;
    const before = population.calls.length;
    const r = await post('{ citizen(id: "21010219850315231X") { name } }');
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_TIMEOUT');
    expect(population.calls).toHaveLength(before + 1);
    const call = population.calls[before]!;
    const closedAt = await within(call.closed, SLACK_MS);
    expect(closedAt, 'the hung call\'s connection was never closed').toBeDefined();
    expect(closedAt! - r.started).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(closedAt! - r.started).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('tells the subgraph how long it has: a whole number of ms, less than the deadline', async () => {
    population.state.hang = true;
    const before = population.calls.length;
    await post('{ citizen(id: "21010219850315231X") { name } }');
    const value = population.calls[before]?.headers[DEADLINE_HEADER];
    expect(value).toMatch(/^\d+$/);
    // What is left of this request's deadline, not the 3 s default nor a fixed figure.
    expect(Number(value)).toBeGreaterThan(DEADLINE_MS / 2);
    expect(Number(value)).toBeLessThan(DEADLINE_MS);
  });

  it('stays up: the same query succeeds once the subgraph answers again', async () => {
    population.state.hang = false;
    const r = await post('{ citizen(id: "21010219850315231X") { name } freeSpaces }');
    expect(r.body).toEqual({ data: { citizen: { name: '王立军' }, freeSpaces: 12 } });
    const health = await fetch(new URL('/healthz', gateway.url));
    expect(health.status).toBe(200);
  });

  it('aborts a citizen\'s call too, though identical calls in flight share it, and asks afresh once the subgraph is back', async () => {
    caller = { sub: '21010219850315231X', role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null };
    try {
      population.state.hang = true;
      const before = population.calls.length;
      const r = await post('{ citizen(id: "21010219850315231X") { name } }');
      expect(r.body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_TIMEOUT');
      const closedAt = await within(population.calls[before]!.closed, SLACK_MS);
      expect(closedAt, 'the shared call was left running after its last caller gave up').toBeDefined();
      // The same question, same principal, once the subgraph answers: a new call, not the dead one joined.
      population.state.hang = false;
      const again = await post('{ citizen(id: "21010219850315231X") { name } }');
      expect(again.body).toEqual({ data: { citizen: { name: '王立军' } } });
      expect(population.calls).toHaveLength(before + 2);
    } finally {
      caller = admin;
    }
  });
});
