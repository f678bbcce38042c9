/**
 * No way around the gateway: each subgraph's own port refuses every request that does not carry the
 * gateway's signed principal, whatever else it carries; identity headers change nothing anywhere; bad
 * credentials at the gateway are a 401 UNAUTHENTICATED and the gateway stays up.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, REQUEST_ID_HEADER, type Principal } from '../core/principal.ts';
import { API_KEY_HEADER, issueApiKey, revokeApiKey } from '../gateway/auth/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let keys: ReturnType<typeof ensureDevKeys>;

const ADMIN: Principal = { sub: 'admin-1', role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null };
const SUBGRAPHS = ['population', 'medicalInsurance', 'supervision'] as const;
const DEMO_QUERY = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name } }`;

beforeAll(async () => {
  t = await startTestCity();
  keys = ensureDevKeys(t.dataDir);
}, 90_000);
afterAll(() => t?.stop());

/** POSTs `query` straight to a subgraph's port, as someone who skipped the gateway would. */
async function direct(subgraph: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const res = await fetch(t.city.services[`subgraph-${subgraph}`]!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
}

/** The claims a principal token carries, for forging one. */
function principalClaims(p: Principal) {
  const now = Math.floor(Date.now() / 1000);
  return { ...p, sub: p.sub ?? undefined, rid: 'forged-request-0001', iss: 'citygraph-gateway', aud: 'citygraph-subgraph', iat: now, exp: now + 60, jti: 'forged' };
}

const FORGERIES: Array<[string, () => Promise<Record<string, string>>]> = [
  ['no principal at all', async () => ({})],
  ['a principal signed by another Ed25519 key', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const token = await new SignJWT(principalClaims(ADMIN)).setProtectedHeader({ alg: 'EdDSA', typ: 'citygraph-principal+jwt' }).sign(other);
    return { [PRINCIPAL_HEADER]: token };
  }],
  ['an unsigned alg:none principal', async () => {
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    return { [PRINCIPAL_HEADER]: `${enc({ alg: 'none', typ: 'citygraph-principal+jwt' })}.${enc(principalClaims(ADMIN))}.` };
  }],
  ['an HS256 principal keyed with the gateway\'s public key', async () => {
    const token = await new SignJWT(principalClaims(ADMIN))
      .setProtectedHeader({ alg: 'HS256', typ: 'citygraph-principal+jwt' })
      .sign(new TextEncoder().encode(keys.principalPublicKeyPem));
    return { [PRINCIPAL_HEADER]: token };
  }],
  ['an expired principal signed by the gateway\'s key', async () => {
    const { importPKCS8 } = await import('jose');
    const claims = { ...principalClaims(ADMIN), iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'citygraph-principal+jwt' }).sign(await importPKCS8(keys.principalPrivateKeyPem, 'EdDSA'));
    return { [PRINCIPAL_HEADER]: token };
  }],
  ['a user\'s bearer token instead of a principal', async () => ({ authorization: `Bearer ${await t.token({ role: 'admin', sub: 'admin-1' })}` })],
  ['garbage in the principal header', async () => ({ [PRINCIPAL_HEADER]: 'garbage' })],
  ['client identity headers', async () => ({ 'x-user-id': DEMO_CITIZEN_ID, 'x-role': 'admin', 'x-scopes': 'citizen:read identity:verify', 'x-department': 'population' })],
];

describe('a subgraph called directly', () => {
  describe.each(SUBGRAPHS)('%s', (subgraph) => {
    it.each(FORGERIES)('refuses %s with 401 UNAUTHENTICATED and no data, _service and _entities included', async (_label, headers) => {
      const h = await headers();
      const queries = [
        '{ _service { sdl } }',
        ...(subgraph === 'supervision' ? ['{ integrity { ok } }'] : ['query($r: [_Any!]!) { _entities(representations: $r) { __typename } }']),
        ...(subgraph === 'population' ? [DEMO_QUERY] : []),
      ];
      for (const query of queries) {
        const r = await direct(subgraph, query, h, { r: [{ __typename: 'Citizen', id: DEMO_CITIZEN_ID }] });
        expect(r.status, query).toBe(401);
        expect(r.body.data ?? null).toBeNull();
        expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    });
  });

  it('answers the same request once it carries the gateway\'s signed principal (the refusals above are about the principal)', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: keys.principalPrivateKeyPem });
    const r = await direct('population', '{ _service { sdl } }', { [PRINCIPAL_HEADER]: await sign(ADMIN), [REQUEST_ID_HEADER]: 'bypass-test-0001' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body.data)).toContain('verifyIdentity');
  });
});

describe('identity headers sent to the gateway', () => {
  it('change nothing: an anonymous caller claiming to be an admin or the citizen stays anonymous and gets FORBIDDEN', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: keys.principalPrivateKeyPem });
    const r = await t.query(`{ __typename citizen(id: "${DEMO_CITIZEN_ID}") { name } }`, {
      headers: {
        'x-user-id': DEMO_CITIZEN_ID,
        'x-role': 'admin',
        'x-scopes': 'citizen:read identity:verify',
        'x-department': 'population',
        'x-on-behalf-of': DEMO_CITIZEN_ID,
        // Even a genuinely signed principal from a client is not passed on: the gateway sets its own.
        [PRINCIPAL_HEADER]: await sign(ADMIN),
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ __typename: 'Query', citizen: null });
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('change nothing for a signed-in citizen either: another citizen stays FORBIDDEN', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    const other = listCitizenIds(2)[1]!;
    const r = await t.query(`{ citizen(id: "${other}") { name } }`, { token, headers: { 'x-role': 'admin', 'x-user-id': other } });
    expect(r.body.data.citizen).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('bad credentials at the gateway', () => {
  const jwt = async (claims: Record<string, unknown>, key: Uint8Array, header: Record<string, unknown> = { alg: 'HS256' }) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: 'citygraph-dev', aud: 'citygraph', sub: 'admin-1', role: 'admin', iat: now, exp: now + 600, ...claims }).setProtectedHeader(header as never).sign(key);
  };
  const secret = () => new TextEncoder().encode(keys.jwtSecret);
  const apiKeys = () => join(t.dataDir, 'api-keys.json');

  const CASES: Array<[string, () => Promise<Record<string, string>>]> = [
    ['a malformed bearer token', async () => ({ authorization: 'Bearer not.a.jwt!' })],
    ['a non-Bearer authorization', async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' })],
    ['an empty bearer token', async () => ({ authorization: '' })],
    ['an expired token', async () => ({ authorization: `Bearer ${await jwt({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }, secret())}` })],
    ['a token with a wrong signature', async () => ({ authorization: `Bearer ${await jwt({}, new TextEncoder().encode('x'.repeat(43)))}` })],
    ['an alg:none token', async () => {
      const enc = (o: object) => base64url.encode(JSON.stringify(o));
      const now = Math.floor(Date.now() / 1000);
      return { authorization: `Bearer ${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: 'citygraph-dev', aud: 'citygraph', sub: 'admin-1', role: 'admin', exp: now + 600 })}.` };
    }],
    ['a token of another issuer', async () => ({ authorization: `Bearer ${await jwt({ iss: 'somebody-else' }, secret())}` })],
    ['a malformed API key', async () => ({ [API_KEY_HEADER]: 'let-me-in' })],
    ['an unknown API key', async () => ({ [API_KEY_HEADER]: `cgk_0123456789ab_${'A'.repeat(43)}` })],
    ['a revoked API key', async () => {
      const { id, key } = issueApiKey(apiKeys(), { client: 'revoked-hotel', scopes: ['identity:verify'] });
      revokeApiKey(apiKeys(), id);
      return { [API_KEY_HEADER]: key };
    }],
    ['a bearer token and an API key at once', async () => ({
      authorization: `Bearer ${await t.token({ role: 'admin', sub: 'admin-1' })}`,
      [API_KEY_HEADER]: issueApiKey(apiKeys(), { client: 'hotel', scopes: ['identity:verify'], purpose: 'check-in' }).key,
    })],
  ];

  it.each(CASES)('refuses %s with HTTP 401 UNAUTHENTICATED and no data, and the gateway stays up', async (_label, headers) => {
    const r = await t.query(DEMO_QUERY, { headers: await headers() });
    expect(r.status).toBe(401);
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await t.query(DEMO_QUERY, { token: await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID }) });
    expect(after.body.data.citizen.name).toBe('王立军');
  });
});
