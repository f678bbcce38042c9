import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJwtVerifier } from '../jwt.ts';
import { CITIZEN_ID, SECRET, failure, mint, refusal, unsigned } from './helpers.ts';

const citizen = { sub: CITIZEN_ID, role: 'citizen' };

describe('HS256 bearer tokens (development)', () => {
  const verify = createJwtVerifier({ hs256Secret: SECRET });

  it('accepts a token signed with the configured secret and maps its claims to a principal', async () => {
    const token = await mint({ sub: 'u-7', role: 'staff', dept: 'population', scope: 'cases:read cases:write', azp: 'hall-desk' });
    expect(await verify(token)).toEqual({
      sub: 'u-7',
      role: 'staff',
      department: 'population',
      scopes: ['cases:read', 'cases:write'],
      onBehalfOf: null,
      client: 'hall-desk',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TextEncoder().encode(`${SECRET}-other`);
    expect(await refusal(verify(await mint(citizen, { key: other })))).toBe('signature');
  });

  it('refuses an expired token once the clock tolerance is used up', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(verify(await mint({ ...citizen, exp: now - 31 })))).toBe('expired');
    // Within the default 30 s tolerance it still passes: the refusal above is about time, not shape.
    await expect(verify(await mint({ ...citizen, exp: now - 10 }))).resolves.toMatchObject({ role: 'citizen' });
  });

  it('refuses a token it accepted before once the token has expired (a remembered token lives no longer)', async () => {
    const start = Date.now();
    const exp = Math.floor(start / 1000) + 20;
    const token = await mint({ ...citizen, exp });
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    try {
      await expect(verify(token)).resolves.toMatchObject({ role: 'citizen' });
      vi.setSystemTime(exp * 1000 + 31_000);
      expect(await refusal(verify(token))).toBe('expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a token that is not valid yet (nbf in the future)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(verify(await mint({ ...citizen, nbf: now + 120 })))).toBe('nbf');
  });

  it('refuses a token from another issuer', async () => {
    expect(await refusal(verify(await mint({ ...citizen, iss: 'someone-else' })))).toBe('iss');
  });

  it('refuses a token meant for another audience', async () => {
    expect(await refusal(verify(await mint({ ...citizen, aud: 'another-api' })))).toBe('aud');
  });

  it('honours a configured issuer and audience', async () => {
    const custom = createJwtVerifier({ hs256Secret: SECRET, issuer: 'idp.city', audience: 'graph' });
    await expect(custom(await mint({ ...citizen, iss: 'idp.city', aud: 'graph' }))).resolves.toMatchObject({ sub: CITIZEN_ID });
    expect(await refusal(custom(await mint(citizen)))).toBe('iss');
  });

  it('refuses a token without an expiry', async () => {
    expect(await refusal(verify(await mint({ ...citizen, exp: undefined })))).toBe('claims');
  });

  it('refuses an unsigned alg none token', async () => {
    expect(await refusal(verify(unsigned({ sub: 'root', role: 'admin' })))).toBe('algorithm');
  });

  it('refuses malformed tokens', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', 'e30.e30.', '!!.??.**', 'x'.repeat(9000)]) {
      expect(await refusal(verify(token))).toBe('malformed');
    }
  });

  it('refuses an asymmetric token when configured for HS256', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await refusal(verify(await mint(citizen, { key: privateKey, header: { alg: 'ES256' } })))).toBe('algorithm');
  });
});

describe('JWKS bearer tokens (production)', () => {
  let es256: CryptoKeyPair;
  let dir: string;
  let jwksFile: string;
  let server: Server;
  let jwksUrl: string;
  let served = 0;

  beforeAll(async () => {
    es256 = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(es256.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    dir = mkdtempSync(join(tmpdir(), 'citygraph-jwks-'));
    jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    server = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const es = (claims: Record<string, unknown>, kid = 'k1') =>
    mint(claims, { key: es256.privateKey, header: { alg: 'ES256', kid } });

  it('accepts an ES256 token whose key is in a local JWKS file', async () => {
    const verify = createJwtVerifier({ jwksFile });
    expect(await verify(await es(citizen))).toMatchObject({ sub: CITIZEN_ID, role: 'citizen' });
  });

  it('accepts an ES256 token without kid when the set has one matching key', async () => {
    const verify = createJwtVerifier({ jwksFile });
    const token = await mint(citizen, { key: es256.privateKey, header: { alg: 'ES256' } });
    expect(await verify(token)).toMatchObject({ sub: CITIZEN_ID });
  });

  it('accepts an ES256 token whose key is served at a JWKS URL', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    const before = served;
    expect(await verify(await es(citizen))).toMatchObject({ sub: CITIZEN_ID, role: 'citizen' });
    expect(served).toBe(before + 1);
  });

  it('refuses a token signed by a key the JWKS does not publish', async () => {
    const verify = createJwtVerifier({ jwksFile });
    const stranger = await generateKeyPair('ES256');
    const token = await mint(citizen, { key: stranger.privateKey, header: { alg: 'ES256', kid: 'k1' } });
    expect(await refusal(verify(token))).toBe('signature');
    expect(await refusal(verify(await es(citizen, 'k9')))).toBe('unknownKey');
  });

  it('refuses HS256 and alg none when configured with a JWKS', async () => {
    const verify = createJwtVerifier({ jwksFile });
    expect(await refusal(verify(await mint(citizen)))).toBe('algorithm');
    expect(await refusal(verify(unsigned({ sub: 'root', role: 'admin' })))).toBe('algorithm');
  });

  it('accepts RS256 and EdDSA tokens from a JWKS, trying each key when the token names none', async () => {
    const pairs = await Promise.all([
      generateKeyPair('RS256', { extractable: true }),
      generateKeyPair('EdDSA', { extractable: true }),
      generateKeyPair('ES256', { extractable: true }),
    ]);
    // Two ES256 keys without kid: jose finds both, and only the second one verifies.
    const keys = [...(await Promise.all(pairs.map((p) => exportJWK(p.publicKey)))), await exportJWK(es256.publicKey)];
    const file = join(dir, 'mixed.json');
    writeFileSync(file, JSON.stringify({ keys }));
    const verify = createJwtVerifier({ jwksFile: file });
    for (const [i, alg] of (['RS256', 'EdDSA'] as const).entries()) {
      const token = await mint(citizen, { key: pairs[i]!.privateKey, header: { alg } });
      expect(await verify(token)).toMatchObject({ sub: CITIZEN_ID });
    }
    const token = await mint(citizen, { key: es256.privateKey, header: { alg: 'ES256' } });
    expect(await verify(token)).toMatchObject({ sub: CITIZEN_ID });
  });

  it('answers INTERNAL, not UNAUTHENTICATED, when the JWKS URL cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const verify = createJwtVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
    const f = await failure(verify(await es(citizen)));
    expect(f).toMatchObject({ code: 'INTERNAL', reason: 'jwksUnavailable' });
  });
});

describe('createJwtVerifier options', () => {
  it('says what to set when no key source is configured', () => {
    expect(() => createJwtVerifier({})).toThrow(/hs256Secret.*jwksUrl/);
  });

  it('refuses two key sources at once', () => {
    expect(() => createJwtVerifier({ hs256Secret: SECRET, jwksUrl: 'https://idp.example/jwks' })).toThrow(/only one/);
  });

  it('refuses a short HS256 secret', () => {
    expect(() => createJwtVerifier({ hs256Secret: 'short' })).toThrow(/32 characters/);
  });

  it('refuses a JWKS URL over plain http to a non-loopback host', () => {
    expect(() => createJwtVerifier({ jwksUrl: 'http://idp.example/jwks' })).toThrow(/https/);
    expect(() => createJwtVerifier({ jwksUrl: 'https://idp.example/jwks' })).not.toThrow();
  });

  it('refuses a JWKS file that is missing or holds a private key', async () => {
    expect(() => createJwtVerifier({ jwksFile: '/nonexistent/jwks.json' })).toThrow(/could not be read/);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const dir = mkdtempSync(join(tmpdir(), 'citygraph-jwks-'));
    const file = join(dir, 'private.json');
    writeFileSync(file, JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    try {
      expect(() => createJwtVerifier({ jwksFile: file })).toThrow(/public/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an out-of-range clock tolerance', () => {
    expect(() => createJwtVerifier({ hs256Secret: SECRET, clockToleranceSeconds: -1 })).toThrow(TypeError);
  });
});
