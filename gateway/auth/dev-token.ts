/**
 * Development user tokens (HS256 with the dev secret), for `npm run token` and whole-system tests.
 * The claims are checked with the gateway's own rules first, so a token that would be refused is never made.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Role } from '../../core/principal.ts';
import { principalFromClaims } from './claims.ts';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from './jwt.ts';

/** What a development token says. */
export interface DevTokenInput {
  /** The HS256 secret, e.g. ensureDevKeys(dataDir).jwtSecret. Required. */
  secret: string;
  /** Any role but `anonymous`. Required. */
  role: Exclude<Role, 'anonymous'>;
  /** The subject: a resident ID for a citizen, a USCC for an enterprise, an account otherwise. Required. */
  sub: string;
  /** `dept` claim; required for staff, refused for others. Default none. */
  department?: string;
  /** `scope` claim, space-joined. Default none. */
  scopes?: readonly string[];
  /** `obo` claim: the citizen an app acts for; required for app, refused for others. Default none. */
  onBehalfOf?: string;
  /** `client` claim; required for integrator. Default none. */
  client?: string;
  /** Lifetime in seconds; default 3600. */
  ttlSeconds?: number;
  /** `iss`; default `citygraph-dev`. */
  issuer?: string;
  /** `aud`; default `citygraph`. */
  audience?: string;
}

/** Signs a development token; throws the gateway's own UNAUTHENTICATED error if it would be refused. */
export async function signDevToken(input: DevTokenInput): Promise<string> {
  const ttl = input.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError(`ttlSeconds must be a positive integer, got ${String(ttl)}.`);
  if (typeof input.secret !== 'string' || input.secret.length < 32) throw new TypeError('secret must be at least 32 characters.');
  const claims: Record<string, unknown> = {
    role: input.role,
    ...(input.department !== undefined ? { dept: input.department } : {}),
    ...(input.scopes?.length ? { scope: input.scopes.join(' ') } : {}),
    ...(input.onBehalfOf !== undefined ? { obo: input.onBehalfOf } : {}),
    ...(input.client !== undefined ? { client: input.client } : {}),
  };
  principalFromClaims({ ...claims, sub: input.sub });
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(input.sub)
    .setIssuer(input.issuer ?? DEFAULT_ISSUER)
    .setAudience(input.audience ?? DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(input.secret));
}
