/** Rolling the gateway's principal key over without downtime: subgraphs hold the current and the next key, by kid. */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../errors.ts';
import { createPrincipalSigner, createPrincipalVerifier, principalKeyId, type Principal } from '../principal.ts';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const current = pair();
const next = pair();
const stranger = pair();
const staff: Principal = { sub: 'staff-1', role: 'staff', department: 'population', scopes: [], onBehalfOf: null, client: 'desk' };

async function reason(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => expect.unreachable('accepted'), (x: unknown) => x);
  if (!isCityGraphError(e)) throw e;
  return String(e.details?.reason);
}

describe('principal key rollover', () => {
  it('names the signing key in the token header (kid derived from the key, same on both sides)', async () => {
    const token = await (await createPrincipalSigner({ privateKeyPem: current.privateKeyPem }))(staff);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: string };
    expect(header.kid).toBe(principalKeyId(current.publicKeyPem));
    expect(principalKeyId(current.privateKeyPem)).toBe(principalKeyId(current.publicKeyPem));
    expect(principalKeyId(next.publicKeyPem)).not.toBe(header.kid);
  });

  it('accepts tokens of the current and of the next key while both are configured, and refuses any other key by kid', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: `${current.publicKeyPem}${next.publicKeyPem}` });
    for (const k of [current, next]) {
      const token = await (await createPrincipalSigner({ privateKeyPem: k.privateKeyPem }))(staff);
      expect((await verify(token, 'req-00000001')).principal.sub).toBe('staff-1');
    }
    const foreign = await (await createPrincipalSigner({ privateKeyPem: stranger.privateKeyPem }))(staff);
    expect(await reason(verify(foreign, 'req-00000001'))).toBe('kid');
  });

  it('refuses a token signed by the stranger’s key but carrying the current key’s kid', async () => {
    const verify = await createPrincipalVerifier({ publicKeyPem: `${current.publicKeyPem}\n${next.publicKeyPem}` });
    const forged = await new SignJWT({ role: 'admin', department: null, scopes: [], onBehalfOf: null, client: null })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'citygraph-principal+jwt', kid: principalKeyId(current.publicKeyPem) })
      .setIssuer('citygraph-gateway').setAudience('citygraph-subgraph').setIssuedAt().setExpirationTime('60s').setJti('x')
      .sign(stranger.privateKey);
    expect(await reason(verify(forged, 'req-00000001'))).toBe('signature');
  });

  it('after the rollover (old key removed) refuses the old key’s tokens', async () => {
    const oldToken = await (await createPrincipalSigner({ privateKeyPem: current.privateKeyPem }))(staff);
    const verify = await createPrincipalVerifier({ publicKeyPem: next.publicKeyPem });
    expect(await reason(verify(oldToken, 'req-00000001'))).toBe('kid');
  });

  it('refuses a configuration without any public key', async () => {
    await expect(createPrincipalVerifier({ publicKeyPem: 'not a key' })).rejects.toThrow(/SPKI PEM/);
  });
});
