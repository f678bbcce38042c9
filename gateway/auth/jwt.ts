/**
 * Bearer JWT verification at the gateway: HS256 with a configured secret in development, a JWKS (URL or
 * file) in production. The accepted algorithms are fixed per key source, never taken from the token,
 * so `alg: none` and algorithm confusion (an HS256 token "signed" with a public key) cannot pass.
 */
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { Principal } from '../../core/principal.ts';
import { principalFromClaims } from './claims.ts';

/** Default `iss` of user tokens (the development issuer, `npm run token`). */
export const DEFAULT_ISSUER = 'citygraph-dev';
/** Default `aud` of user tokens. */
export const DEFAULT_AUDIENCE = 'citygraph';
/** Asymmetric algorithms accepted from a JWKS. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** Where keys come from and what the claims must say. Exactly one of hs256Secret, jwksUrl, jwksFile. */
export interface JwtOptions {
  /** Development HMAC secret (at least 32 characters); tokens must be HS256. No default. */
  hs256Secret?: string;
  /** Production JWKS URL (https, or http on loopback only); tokens RS256, ES256 or EdDSA. No default. */
  jwksUrl?: string;
  /** Production JWKS file path, read once at construction; tokens RS256, ES256 or EdDSA. No default. */
  jwksFile?: string;
  /** Required `iss`; default `citygraph-dev`. */
  issuer?: string;
  /** Required `aud`; default `citygraph`. */
  audience?: string;
  /** Clock skew allowed for `exp`/`nbf`/`iat`, in seconds; default 30. */
  clockToleranceSeconds?: number;
}

/** Longest token accepted; bounds the work an unauthenticated caller can cause. */
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Creates `verify(token)` → Principal, or throws UNAUTHENTICATED (INTERNAL when the JWKS is unreachable). */
export function createJwtVerifier(options: JwtOptions): (token: string) => Promise<Principal> {
  const sources = (['hs256Secret', 'jwksUrl', 'jwksFile'] as const).filter((k) => options?.[k] !== undefined);
  if (sources.length !== 1) {
    throw new TypeError(
      sources.length === 0
        ? 'jwt options need a key source: set hs256Secret (development) or jwksUrl / jwksFile (production).'
        : `jwt options must set only one key source, got ${sources.join(' and ')}.`,
    );
  }
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError(`jwt.clockToleranceSeconds must be from 0 to 300, got ${String(clockTolerance)}.`);
  }
  const checks: JWTVerifyOptions = {
    issuer: nonEmpty(options.issuer ?? DEFAULT_ISSUER, 'jwt.issuer'),
    audience: nonEmpty(options.audience ?? DEFAULT_AUDIENCE, 'jwt.audience'),
    clockTolerance,
    requiredClaims: ['exp', 'sub'],
  };

  let verify: (token: string) => Promise<JWTPayload>;
  if (options.hs256Secret !== undefined) {
    // A short HMAC secret can be brute-forced offline from any one token.
    if (typeof options.hs256Secret !== 'string' || options.hs256Secret.length < 32) {
      throw new TypeError('jwt.hs256Secret must be at least 32 characters (e.g. ensureDevKeys().jwtSecret).');
    }
    const secret = new TextEncoder().encode(options.hs256Secret);
    verify = async (t) => (await jwtVerify(t, secret, { ...checks, algorithms: ['HS256'] })).payload;
  } else {
    const keys = options.jwksUrl !== undefined ? remoteKeys(options.jwksUrl) : localKeys(options.jwksFile!);
    verify = (t) => verifyWithKeySet(t, keys, { ...checks, algorithms: [...JWKS_ALGORITHMS] });
  }

  const verified = new VerifiedTokens();
  return async (token) => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw refuse('is not a compact JWT', 'malformed');
    }
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (e) {
      throw describeFailure(e, options.hs256Secret === undefined);
    }
    const principal = principalFromClaims(payload);
    verified.add(token, principal, payload.exp!);
    return principal;
  };
}

/** Most tokens remembered at once; past it the oldest entry is dropped. */
const MAX_REMEMBERED = 10_000;
/** A verified token is verified again after this long at most, so a key withdrawn from a JWKS stops it soon. */
const MAX_REMEMBER_MS = 60_000;

/**
 * Tokens that passed verification (signature, iss, aud, exp, nbf, claims → principal), so that a client
 * sending the same token on every request costs one HMAC or signature check per minute, not one per
 * request. Only successes are kept, and only until the token's `exp` (without the clock tolerance, so
 * never longer than jose would accept it): an entry that is gone falls back to full verification. The
 * principal is frozen, so sharing it between requests cannot widen it.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Principal; since: number; until: number }>();

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    // A clock set back before the check (where `nbf` or `iat` could fail) also counts as unknown.
    const now = Date.now();
    if (now >= entry.since && now < entry.until) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  add(token: string, principal: Principal, expSeconds: number): void {
    const now = Date.now();
    const until = Math.min(expSeconds * 1000, now + MAX_REMEMBER_MS);
    if (!(until > now)) return;
    if (this.entries.size >= MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { principal, since: now, until });
  }
}

function remoteKeys(url: string): JWTVerifyGetKey {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('jwt.jwksUrl must be an absolute URL.');
  }
  // Keys fetched over plain http could be swapped by anyone on the path; loopback is for tests and sidecars.
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new TypeError('jwt.jwksUrl must use https (plain http is accepted on loopback only).');
  }
  return createRemoteJWKSet(parsed);
}

function localKeys(file: string): JWTVerifyGetKey {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
  } catch {
    throw new TypeError(`jwt.jwksFile ${file} could not be read as JSON.`);
  }
  // jose checks key members only when a token first uses them; a bad file must stop the start instead.
  const members: unknown[] = Array.isArray(jwks?.keys) ? jwks.keys : [];
  if (members.length === 0 || !members.every(isPublicAsymmetricJwk)) {
    throw new TypeError(`jwt.jwksFile ${file} must be a JSON Web Key Set of public RSA, EC or OKP keys only.`);
  }
  try {
    return createLocalJWKSet(jwks);
  } catch (e) {
    throw new TypeError(`jwt.jwksFile ${file} is not a public JSON Web Key Set: ${(e as Error).message}.`);
  }
}

function isPublicAsymmetricJwk(k: unknown): boolean {
  if (typeof k !== 'object' || k === null) return false;
  const jwk = k as Record<string, unknown>;
  return ['RSA', 'EC', 'OKP'].includes(String(jwk.kty)) && jwk.d === undefined;
}

/** A token without `kid` can match several keys of a set; jose then leaves trying each one to us. */
async function verifyWithKeySet(token: string, keys: JWTVerifyGetKey, checks: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys, checks)).payload;
  } catch (e) {
    if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw e;
    for await (const key of e as unknown as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, key, checks)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** Failures that are the token's fault; anything else from a JWKS source means its keys are unreachable. */
function describeFailure(e: unknown, fromJwks: boolean): CityGraphError {
  if (e instanceof errors.JWTExpired) return refuse('has expired', 'expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return refuse('is not valid yet', 'nbf');
    if (e.claim === 'iss') return refuse('was issued by an issuer this gateway does not trust', 'iss');
    if (e.claim === 'aud') return refuse('is meant for another audience', 'aud');
    return refuse(`failed the check of its "${e.claim}" claim`, 'claims');
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return refuse('uses an algorithm this gateway does not accept', 'algorithm');
  if (e instanceof errors.JWSSignatureVerificationFailed) return refuse('has an invalid signature', 'signature');
  if (e instanceof errors.JWKSNoMatchingKey) return refuse('is signed by a key the identity provider does not publish', 'unknownKey');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JOSENotSupported) {
    return refuse('is malformed', 'malformed');
  }
  if (fromJwks && (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || e instanceof TypeError || isGenericJoseError(e))) {
    // Not the caller's fault: a 401 would make clients throw away a valid token and log in again.
    return new CityGraphError(ErrorCode.INTERNAL, 'The identity provider\'s keys could not be fetched; try again shortly.', {
      details: { reason: 'jwksUnavailable' },
    });
  }
  return refuse('is malformed', 'malformed');
}

function isGenericJoseError(e: unknown): boolean {
  return e instanceof errors.JOSEError && e.code === 'ERR_JOSE_GENERIC';
}

// No `cause`: jose's claim errors carry the payload, and a payload holds personal IDs.
function refuse(problem: string, reason: string): CityGraphError {
  return new CityGraphError(ErrorCode.UNAUTHENTICATED, `The bearer token ${problem}.`, { details: { reason } });
}

function nonEmpty(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string.`);
  return value;
}
