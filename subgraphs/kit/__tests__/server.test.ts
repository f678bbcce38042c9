/** A kit subgraph over HTTP: the gateway's principal is required, rules apply, answers are never cacheable. */
import { generateKeyPairSync } from 'node:crypto';
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
