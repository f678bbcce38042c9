/**
 * The principal: who is calling, as the gateway established it. The gateway signs it into a short-lived
 * EdDSA token for the subgraphs; they hold only the public key, so no subgraph (and nobody who reaches a
 * subgraph's port directly) can mint or alter one.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors, importPKCS8, importSPKI, jwtVerify } from 'jose';
import { z } from 'zod';
import { CityGraphError, ErrorCode } from './errors.ts';

/** Every role a principal can hold; `anonymous` is the caller who presented no credential. */
export const ROLES = ['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'integrator', 'auditor', 'admin'] as const;
/** One of ROLES. */
export type Role = (typeof ROLES)[number];

/** Who is calling. Immutable: a principal is frozen when built, so no resolver can widen it. */
export interface Principal {
  /** The caller's subject: a resident ID (citizen), USCC (enterprise), account or key id; null if anonymous. */
  sub: string | null;
  /** The caller's role. */
  role: Role;
  /** The department code a staff member belongs to; null for other roles. */
  department: string | null;
  /** Scopes granted, e.g. `identity:verify`; empty when none. */
  scopes: readonly string[];
  /** The citizen an `app` acts for; null otherwise. */
  onBehalfOf: string | null;
  /** The client application or integrator name; null when unknown. */
  client: string | null;
}

/** The caller who presented no credential: reads only what is explicitly public. */
export const ANONYMOUS: Principal = Object.freeze({
  sub: null,
  role: 'anonymous',
  department: null,
  scopes: Object.freeze([]) as readonly string[],
  onBehalfOf: null,
  client: null,
});

/** The header the gateway sets towards subgraphs, carrying the signed principal token. */
export const PRINCIPAL_HEADER = 'x-citygraph-principal';

/** Default `iss` of principal tokens. */
const DEFAULT_ISSUER = 'citygraph-gateway';
/** `aud` of principal tokens: only subgraphs accept them, and no other token is accepted there. */
const AUDIENCE = 'citygraph-subgraph';
/** Explicit type (RFC 8725 §3.11) so no other EdDSA JWT signed by the same key passes as a principal. */
const TOKEN_TYPE = 'citygraph-principal+jwt';
/** EdDSA only: pinning the algorithm is what makes `alg: none` and HS256-with-the-public-key fail. */
const ALGORITHMS = ['EdDSA'];

const text = z.string().min(1).max(256);
const principalSchema = z.object({
  sub: text.nullable(),
  role: z.enum(ROLES),
  department: text.nullable(),
  scopes: z.array(text.regex(/^\S+$/)).max(64),
  onBehalfOf: text.nullable(),
  client: text.nullable(),
});
// On the wire a null sub is an absent `sub` (a JWT sub must be a string), and the request id rides along.
const claimsSchema = principalSchema.extend({ sub: text.optional(), rid: z.string().min(1).max(128) });

/** Returns a frozen copy of `p`, so a principal cannot be widened after it was checked. */
export function freezePrincipal(p: Principal): Principal {
  return Object.freeze({ ...p, scopes: Object.freeze([...p.scopes]) });
}

/** Options of createPrincipalSigner. */
export interface PrincipalSignerOptions {
  /** The gateway's Ed25519 private key, PKCS#8 PEM. Required. */
  privateKeyPem: string;
  /** `iss` claim; default `citygraph-gateway`. */
  issuer?: string;
  /** Lifetime of a token in seconds; default 60 (one request, with room for slow subgraphs). */
  ttlSeconds?: number;
}

/** Creates the gateway's signer: `sign(principal, requestId)` → a compact EdDSA JWT for PRINCIPAL_HEADER. */
export async function createPrincipalSigner(
  options: PrincipalSignerOptions,
): Promise<(p: Principal, requestId: string) => Promise<string>> {
  const issuer = options?.issuer ?? DEFAULT_ISSUER;
  const ttl = options?.ttlSeconds ?? 60;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
    throw new TypeError(`createPrincipalSigner: ttlSeconds must be an integer from 1 to 3600, got ${String(ttl)}.`);
  }
  const key = await importKey('createPrincipalSigner: privateKeyPem must be an Ed25519 private key in PKCS#8 PEM', () =>
    importPKCS8(options?.privateKeyPem, 'EdDSA'),
  );
  return async (p, requestId) => {
    // Checked here too, so a bug in the gateway fails at the gateway, not as a 401 in every subgraph.
    const principal = principalSchema.parse(p);
    const rid = z.string().min(1).max(128).parse(requestId);
    const { sub, ...rest } = principal;
    const jwt = new SignJWT({ ...rest, rid })
      .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .setJti(randomUUID());
    // A JWT `sub` must be a string, so the anonymous principal's null sub is expressed by its absence.
    if (sub !== null) jwt.setSubject(sub);
    return jwt.sign(key);
  };
}

/** Options of createPrincipalVerifier. */
export interface PrincipalVerifierOptions {
  /** The gateway's Ed25519 public key, SPKI PEM. Required. */
  publicKeyPem: string;
  /** Expected `iss`; default `citygraph-gateway`. */
  issuer?: string;
  /** Clock skew allowed between gateway and subgraph hosts, in seconds; default 5. */
  clockToleranceSeconds?: number;
}

/**
 * Creates a subgraph's verifier: `verify(headerValue)` → the principal and request id, or a
 * CityGraphError UNAUTHENTICATED for a missing, malformed, expired, wrongly signed or ill-formed token.
 */
export async function createPrincipalVerifier(
  options: PrincipalVerifierOptions,
): Promise<(token: string | undefined) => Promise<{ principal: Principal; requestId: string }>> {
  const issuer = options?.issuer ?? DEFAULT_ISSUER;
  const clockTolerance = options?.clockToleranceSeconds ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError(`createPrincipalVerifier: clockToleranceSeconds must be from 0 to 300, got ${String(clockTolerance)}.`);
  }
  const key = await importKey('createPrincipalVerifier: publicKeyPem must be an Ed25519 public key in SPKI PEM', () =>
    importSPKI(options?.publicKeyPem, 'EdDSA'),
  );
  return async (token) => {
    if (typeof token !== 'string' || token === '') throw refuse('is missing; subgraphs answer only requests sent by the gateway', 'missing');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ALGORITHMS,
        issuer,
        audience: AUDIENCE,
        typ: TOKEN_TYPE,
        clockTolerance,
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (e) {
      throw refuse(...describeJoseFailure(e));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw refuse('has claims that are not a valid principal', 'claims');
    const { rid, sub, ...rest } = claims.data;
    return { principal: freezePrincipal({ sub: sub ?? null, ...rest }), requestId: rid };
  };
}

async function importKey<K>(message: string, load: () => Promise<K>): Promise<K> {
  try {
    return await load();
  } catch {
    throw new TypeError(`${message}.`);
  }
}

// No `cause`: jose's claim errors carry the payload, and a payload holds personal IDs.
function refuse(problem: string, reason: string): CityGraphError {
  return new CityGraphError(ErrorCode.UNAUTHENTICATED, `The principal token ${problem}.`, { details: { reason } });
}

function describeJoseFailure(e: unknown): [string, string] {
  if (e instanceof errors.JWTExpired) return ['has expired', 'expired'];
  if (e instanceof errors.JOSEAlgNotAllowed) return ['uses an algorithm other than EdDSA', 'algorithm'];
  if (e instanceof errors.JWSSignatureVerificationFailed) return ['has an invalid signature', 'signature'];
  if (e instanceof errors.JWTClaimValidationFailed) return [`failed the check of its "${e.claim}" claim`, 'claims'];
  return ['is malformed', 'malformed'];
}
