import { createPublicKey, generateKeyPairSync, sign as signBytes, type KeyObject } from 'node:crypto';
import { SignJWT, base64url, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCityGraphError } from '../errors.ts';
import { ANONYMOUS, createPrincipalSigner, createPrincipalVerifier, principalKeyId, type Principal } from '../principal.ts';

function pemPair(): { privateKeyPem: string; publicKeyPem: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const gateway = pemPair();
const citizen: Principal = {
  sub: '210102198503152318',
  role: 'citizen',
  department: null,
  scopes: ['profile:read'],
  onBehalfOf: null,
  client: 'citizen-app',
};

/** The `details.reason` of the UNAUTHENTICATED error `p` rejects with; fails the test on anything else. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => expect.unreachable('the token was accepted'),
    (err: unknown) => err,
  );
  if (!isCityGraphError(e)) throw e;
  expect(e.code).toBe('UNAUTHENTICATED');
  return String(e.details?.reason);
}

/** A token with the principal's header and claims, signed by `key` (to forge claims the signer refuses). */
function forge(claims: Record<string, unknown>, key: KeyObject = gateway.privateKey): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'citygraph-principal+jwt' })
    .setIssuer('citygraph-gateway')
    .setAudience('citygraph-subgraph')
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti('j1')
    .sign(key);
}

/** A well-formed request id, as the gateway sends beside the token. */
const RID = 'req-00000001';

afterEach(() => {
  vi.useRealTimers();
});

describe('principal token', () => {
  it('carries every principal field from the gateway to a subgraph, and the request id beside it', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const { principal, requestId } = await verify(await sign(citizen), 'req-00000001');
    expect(principal).toEqual(citizen);
    expect(requestId).toBe('req-00000001');
    expect(Object.isFrozen(principal) && Object.isFrozen(principal.scopes)).toBe(true);
  });

  it('carries the anonymous principal, whose sub is null', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    expect((await verify(await sign(ANONYMOUS), RID)).principal).toEqual(ANONYMOUS);
  });

  it('refuses a request without a token', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    expect(await refusal(verify(undefined, RID))).toBe('missing');
    expect(await refusal(verify('', RID))).toBe('missing');
  });

  it('refuses a token past its lifetime plus the clock tolerance', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, ttlSeconds: 60 });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem, clockToleranceSeconds: 5 });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 66_000 });
    const token = await sign(citizen);
    vi.useRealTimers();
    expect(await refusal(verify(token, RID))).toBe('expired');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const [header, payload, signature] = (await sign(citizen)).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    const widened = base64url.encode(JSON.stringify({ ...claims, role: 'admin' }));
    expect(await refusal(verify(`${header}.${widened}.${signature}`, RID))).toBe('signature');
  });

  it('refuses a token signed by another key, such as one a subgraph generated itself', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: pemPair().privateKeyPem });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    // Its kid names a key this subgraph does not hold (with the gateway's kid forged, the signature fails: principal-rollover.test.ts).
    expect(await refusal(verify(await sign(citizen), RID))).toBe('kid');
  });

  it('refuses an unsigned token with alg none', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...citizen, role: 'admin', rid: 'r', iss: 'citygraph-gateway', aud: 'citygraph-subgraph', iat: now, exp: now + 60, jti: 'j' };
    const token = `${enc({ alg: 'none', typ: 'citygraph-principal+jwt' })}.${enc(claims)}.`;
    expect(await refusal(verify(token, RID))).toBe('algorithm');
  });

  it('refuses an HS256 token that uses the public key PEM as its HMAC secret', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const { sub, ...rest } = citizen;
    const token = await new SignJWT({ ...rest, sub: sub!, role: 'admin', rid: 'r' })
      .setProtectedHeader({ alg: 'HS256', typ: 'citygraph-principal+jwt' })
      .setIssuer('citygraph-gateway')
      .setAudience('citygraph-subgraph')
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti('j')
      .sign(new TextEncoder().encode(gateway.publicKeyPem));
    expect(await refusal(verify(token, RID))).toBe('algorithm');
  });

  it('refuses correctly signed claims with an unknown role', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const { sub, ...rest } = citizen;
    expect(await refusal(verify(await forge({ ...rest, sub, role: 'superuser' }), RID))).toBe('claims');
    // The same claims with a known role pass, so the role is what was refused.
    await expect(verify(await forge({ ...rest, sub, role: 'staff' }), RID)).resolves.toBeTruthy();
  });

  it('refuses a valid token without a well-formed request id beside it, remembered token or not', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const token = await sign(citizen);
    for (const bad of [undefined, '', 'short', 'has spaces in it', 'line\nbreak-0001', 'x'.repeat(65)]) {
      expect(await refusal(verify(token, bad))).toBe('requestId');
    }
    await expect(verify(token, RID)).resolves.toBeTruthy();
    expect(await refusal(verify(token, 'has spaces in it'))).toBe('requestId');
  });

  it('hands out the same token to an equal principal for a sixth of its lifetime, then a new one', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, ttlSeconds: 60 });
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const first = await sign(citizen);
    expect(await sign({ ...citizen })).toBe(first);
    expect(await sign({ ...citizen, scopes: [] })).not.toBe(first);
    expect(await sign(ANONYMOUS)).not.toBe(first);
    vi.setSystemTime(start + 9_999);
    expect(await sign(citizen)).toBe(first);
    vi.setSystemTime(start + 10_000);
    expect(await sign(citizen)).not.toBe(first);
  });

  it('keeps only the tokens it may still hand out: past their reuse they are dropped, oldest first', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, ttlSeconds: 60 });
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    for (let i = 0; i < 50; i++) await sign({ ...citizen, sub: `21010219850315${String(i).padStart(4, '0')}` });
    expect(sign.remembered).toBe(50);
    vi.setSystemTime(start + 5_000);
    const later = await sign({ ...citizen, sub: '210102198503159999' });
    expect(sign.remembered).toBe(51);
    // The first fifty are past their 10 s; the one signed at 5 s is not, and is handed out again.
    vi.setSystemTime(start + 10_000);
    expect(await sign({ ...citizen, sub: '210102198503159999' })).toBe(later);
    expect(sign.remembered).toBe(1);
  });

  it('signs a token per call with reuseSeconds 0, and refuses a reuse longer than half the lifetime', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, reuseSeconds: 0 });
    expect(await sign(citizen)).not.toBe(await sign(citizen));
    await expect(createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, ttlSeconds: 60, reuseSeconds: 31 })).rejects.toThrow(TypeError);
  });

  it('refuses a token it accepted before once that token has expired', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem, ttlSeconds: 60 });
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem, clockToleranceSeconds: 5 });
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const token = await sign(citizen);
    await expect(verify(token, RID)).resolves.toBeTruthy();
    vi.setSystemTime(start + 59_000);
    await expect(verify(token, RID)).resolves.toBeTruthy();
    vi.setSystemTime(start + 66_000);
    expect(await refusal(verify(token, RID))).toBe('expired');
  });

  it('refuses another kind of JWT signed with the same key (no principal typ)', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const { sub, ...rest } = citizen;
    const token = await new SignJWT({ ...rest, rid: 'r' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(sub!)
      .setIssuer('citygraph-gateway')
      .setAudience('citygraph-subgraph')
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti('j')
      .sign(gateway.privateKey);
    expect(await refusal(verify(token, RID))).toBe('claims');
  });

  it('does not sign a principal that a subgraph would refuse', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    await expect(sign({ ...citizen, role: 'root' as Principal['role'] })).rejects.toThrow();
    await expect(sign({ ...citizen, scopes: ['two words'] })).rejects.toThrow();
  });

  // A token with exactly the header the gateway writes (so it takes the verifier's own path), any claims.
  const ownHeader = () => base64url.encode(JSON.stringify({ alg: 'EdDSA', typ: 'citygraph-principal+jwt', kid: principalKeyId(gateway.publicKeyPem) }));
  const signOwn = (claims: Record<string, unknown>) => {
    const input = `${ownHeader()}.${base64url.encode(JSON.stringify(claims))}`;
    return `${input}.${signBytes(null, Buffer.from(input), gateway.privateKey).toString('base64url')}`;
  };
  const claimsOf = (overrides: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const { sub, ...rest } = citizen;
    return { ...rest, sub, iss: 'citygraph-gateway', aud: 'citygraph-subgraph', iat: now, exp: now + 60, jti: 'j1', ...overrides };
  };

  it('signs standard EdDSA JWTs: jose accepts them with the public key', async () => {
    const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
    const { payload, protectedHeader } = await jwtVerify(await sign(citizen), createPublicKey(gateway.publicKeyPem), {
      algorithms: ['EdDSA'],
      issuer: 'citygraph-gateway',
      audience: 'citygraph-subgraph',
      typ: 'citygraph-principal+jwt',
      requiredClaims: ['exp', 'iat', 'jti'],
    });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'citygraph-principal+jwt', kid: principalKeyId(gateway.publicKeyPem) });
    expect(payload).toMatchObject({ sub: citizen.sub, role: 'citizen', scopes: ['profile:read'], client: 'citizen-app' });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('checks the gateway\'s own tokens on its thread, without WebCrypto; any other header goes through jose', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem });
    const subtle = vi.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      const sign = await createPrincipalSigner({ privateKeyPem: gateway.privateKeyPem });
      expect((await verify(await sign(citizen), RID)).principal.sub).toBe(citizen.sub);
      expect(subtle).not.toHaveBeenCalled();
      // The same claims under a header written otherwise (its fields in another order): accepted, through jose.
      const { sub, ...rest } = citizen;
      const reordered = await new SignJWT({ ...rest, sub: sub! })
        .setProtectedHeader({ typ: 'citygraph-principal+jwt', alg: 'EdDSA' })
        .setIssuer('citygraph-gateway')
        .setAudience('citygraph-subgraph')
        .setIssuedAt()
        .setExpirationTime('60s')
        .setJti('j2')
        .sign(gateway.privateKey);
      expect((await verify(reordered, RID)).principal.sub).toBe(citizen.sub);
      expect(subtle).toHaveBeenCalledTimes(1);
    } finally {
      subtle.mockRestore();
    }
  });

  it('refuses on its own path what jose refuses, for the same reasons', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: gateway.publicKeyPem, clockToleranceSeconds: 5 });
    // The clock stands still: the cases at the edge of the tolerance must not cross a second while the test runs.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const now = Math.floor(Date.now() / 1000);
    await expect(verify(signOwn(claimsOf({})), RID)).resolves.toBeTruthy();
    expect(await refusal(verify(signOwn(claimsOf({ aud: 'someone-else' })), RID))).toBe('claims');
    expect(await refusal(verify(signOwn(claimsOf({ iss: 'another-gateway' })), RID))).toBe('claims');
    expect(await refusal(verify(signOwn(claimsOf({ nbf: now + 60 })), RID))).toBe('claims');
    expect(await refusal(verify(signOwn(claimsOf({ exp: now - 6 })), RID))).toBe('expired');
    expect(await refusal(verify(signOwn(claimsOf({ exp: 'tomorrow' })), RID))).toBe('claims');
    expect(await refusal(verify(signOwn(claimsOf({ jti: undefined })), RID))).toBe('claims');
    expect(await refusal(verify(signOwn(claimsOf({ role: 'superuser' })), RID))).toBe('claims');
    // Within the clock tolerance on either side: accepted, as jose accepts it.
    await expect(verify(signOwn(claimsOf({ exp: now - 4, nbf: now + 4 })), RID)).resolves.toBeTruthy();
    // A payload that is not a JSON object, under a good signature: malformed, as jose says.
    const input = `${ownHeader()}.${base64url.encode('[1,2]')}`;
    const notAnObject = `${input}.${signBytes(null, Buffer.from(input), gateway.privateKey).toString('base64url')}`;
    expect(await refusal(verify(notAnObject, RID))).toBe('malformed');
    // A signature of another length, or a fourth part: not the gateway's token, and refused.
    const good = signOwn(claimsOf({}));
    expect(await refusal(verify(good.slice(0, -2), RID))).toBe('signature');
    expect(await refusal(verify(`${good}.x`, RID))).toBe('malformed');
  });

  it('refuses keys of the wrong kind at construction', async () => {
    await expect(createPrincipalVerifier({ publicKeyPem: gateway.privateKeyPem })).rejects.toThrow(TypeError);
    await expect(createPrincipalSigner({ privateKeyPem: gateway.publicKeyPem })).rejects.toThrow(TypeError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(createPrincipalSigner({ privateKeyPem: rsa })).rejects.toThrow(/Ed25519/);
    // A public key, but not Ed25519: refused, not kept to refuse every token later.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(createPrincipalVerifier({ publicKeyPem: ec })).rejects.toThrow(/Ed25519/);
    await expect(createPrincipalVerifier({ publicKeyPem: `${gateway.publicKeyPem}\n${ec}` })).rejects.toThrow(/Ed25519/);
  });
});
