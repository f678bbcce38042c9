/** Shared test helpers: a dev secret, token minting with any header and claims, refusal reasons. */
import { SignJWT, base64url, type CryptoKey, type JWTHeaderParameters, type KeyObject } from 'jose';
import { expect } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';

/** A valid resident ID (the demo citizen). */
export const CITIZEN_ID = '210102198503152318';
/** A 43-character development secret, like ensureDevKeys makes. */
export const SECRET = 'dGVzdC1zZWNyZXQtZm9yLWNpdHlncmFwaC1nYXRld2F5';

/** Signs `claims` (default iss/aud/exp added unless given) with `key` under `header`. */
export function mint(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey | KeyObject | Uint8Array; header?: JWTHeaderParameters; ttl?: string | number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ iss: 'citygraph-dev', aud: 'citygraph', iat: now, exp: now + 600, ...claims });
  return jwt.setProtectedHeader(options.header ?? { alg: 'HS256' }).sign(options.key ?? new TextEncoder().encode(SECRET));
}

/** An unsigned `alg: none` token with these claims. */
export function unsigned(claims: Record<string, unknown>): string {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: 'citygraph-dev', aud: 'citygraph', exp: now + 600, ...claims })}.`;
}

/** The CityGraphError `p` rejects with (fails the test if it resolves or rejects with something else). */
export async function failure(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; reason: string; message: string }> {
  const e = await Promise.resolve()
    .then(typeof p === 'function' ? p : () => p)
    .then(
      () => expect.unreachable('the credential was accepted'),
      (err: unknown) => err,
    );
  if (!isCityGraphError(e)) throw e;
  return { code: e.code, reason: String(e.details?.reason), message: e.message };
}

/** The `details.reason` of the UNAUTHENTICATED error `p` rejects with. */
export async function refusal(p: Promise<unknown> | (() => unknown)): Promise<string> {
  const f = await failure(p);
  expect(f.code).toBe('UNAUTHENTICATED');
  return f.reason;
}
