/** A kit subgraph over HTTP: the gateway's principal is required, rules apply, answers are never cacheable. */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from '../../../core/principal.ts';
import { grant, parentId, viaGateway, type PermissionMap } from '../index.ts';
import { startSubgraph, type RunningSubgraph } from '../server.ts';

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! secret: String open: String }
  type Query { thing(id: ID!): Thing }
`;
const permissions: PermissionMap = {
  Query: { thing: viaGateway, _service: viaGateway, _entities: viaGateway },
  _Service: { sdl: viaGateway },
  Thing: { id: viaGateway, secret: grant('ownThing', { role: 'citizen', own: parentId }), open: viaGateway },
};
const def = {
  name: 'things',
  resolvers: { Query: { thing: (_: unknown, a: { id: string }) => ({ id: a.id, secret: 's', open: 'o' }) } },
  permissions,
  createLoaders: () => ({}),
};
const keys = generateKeyPairSync('ed25519');
const citizen = '210102198503152318';
let subgraph: RunningSubgraph;
let sign: Awaited<ReturnType<typeof createPrincipalSigner>>;

beforeAll(async () => {
  subgraph = await startSubgraph(def, {
    principalPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    deps: {},
    logger: createLogger({ service: 'test', level: 'silent' }),
    sdl: SDL,
  });
  sign = await createPrincipalSigner({ privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
});
afterAll(() => subgraph?.close());

const ask = async (id: string, token?: string) => {
  const headers: Record<string, string> = { 'content-type': 'application/json', [REQUEST_ID_HEADER]: 'kit-server-test-1' };
  if (token) headers[PRINCIPAL_HEADER] = token;
  const res = await fetch(subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query: `{ thing(id: "${id}") { id secret open } }` }) });
  return { res, json: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
};

describe('a kit subgraph over HTTP', () => {
  it('answers the gateway\'s principal with its rules applied, and marks the answer not cacheable', async () => {
    const token = await sign({ sub: citizen, role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null });
    const own = await ask(citizen, token);
    expect(own.json.data).toEqual({ thing: { id: citizen, secret: 's', open: 'o' } });
    expect(own.res.headers.get('cache-control')).toBe('no-store');
    const other = await ask('110101199003070015', token);
    expect(other.json.data).toEqual({ thing: { id: '110101199003070015', secret: null, open: 'o' } });
    expect(other.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a request without the gateway\'s principal', async () => {
    const { res, json } = await ask(citizen);
    expect(res.status).toBe(401);
    expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(json.data ?? null).toBeNull();
  });
});

describe('the request logger', () => {
  it('is made only when a resolver logs, and then names the request', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', level: 'info', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) });
    let children = 0;
    const makeChild = logger.child.bind(logger);
    logger.child = ((bindings: Record<string, unknown>, options?: object) => (children++, makeChild(bindings, options))) as typeof logger.child;
    const logging = await startSubgraph(
      {
        ...def,
        resolvers: {
          Query: {
            thing: (_: unknown, a: { id: string }, ctx: { log: { info(msg: string): void } }) => {
              if (a.id === 'loud') ctx.log.info('asked for the loud thing');
              return { id: a.id, secret: 's', open: 'o' };
            },
          },
        },
      },
      { principalPublicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), deps: {}, logger, sdl: SDL },
    );
    try {
      const token = await sign({ sub: citizen, role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null });
      const post = (id: string) =>
        fetch(logging.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [REQUEST_ID_HEADER]: 'kit-server-test-2', [PRINCIPAL_HEADER]: token },
          body: JSON.stringify({ query: `{ thing(id: "${id}") { id open } }` }),
        }).then((r) => r.json());
      expect(await post('quiet')).toEqual({ data: { thing: { id: 'quiet', open: 'o' } } });
      // Nothing logged: no logger made, whatever handles or copies the context on the way.
      expect(children).toBe(0);
      expect(await post('loud')).toEqual({ data: { thing: { id: 'loud', open: 'o' } } });
      expect(children).toBe(1);
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'asked for the loud thing');
      expect(line).toMatchObject({ requestId: 'kit-server-test-2', service: 'test' });
    } finally {
      await logging.close();
    }
  });
});
