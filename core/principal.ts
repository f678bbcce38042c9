/**
 * The principal: who is calling, as the gateway established it. The gateway signs it into a short-lived
 * EdDSA token for the subgraphs; they hold only the public key, so no subgraph (and nobody who reaches a
 * subgraph's port directly) can mint or alter one. The request id travels beside it, in its own header.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
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
  /**
   * Why the caller reads personal data: the `x-purpose` header, else an integrator key's registered
   * purpose; recorded on every access record. Absent or null when none was declared.
   */
  purpose?: string | null;
}

/** The header a caller declares the purpose of its reads in (recorded; required of integrators). */
export const PURPOSE_HEADER = 'x-purpose';
/** A purpose: 1–128 characters, no control characters (it is shown to citizens as it is). */
export const PURPOSE_FORMAT = /^[^\p{Cc}]{1,128}$/u;

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
/** The header carrying the request id, from client to gateway to subgraphs to legacy systems. */
export const REQUEST_ID_HEADER = 'x-request-id';
/**
 * What a request id may look like: short and plain, since it ends up in logs and legacy calls. The
 * gateway keeps a client's id only when it matches, and subgraphs refuse a request whose id does not.
 */
export const REQUEST_ID_FORMAT = /^[A-Za-z0-9._:-]{8,64}$/;
/**
 * The header naming one execution of a request at the gateway: a random UUID the gateway draws for
 * every request it runs (a client's request id may repeat; this may not). A subgraph called twice in one
 * execution writes one access record per subject for both calls (subgraphs/kit/disclosure.ts).
 */
export const EXECUTION_ID_HEADER = 'x-citygraph-execution';
/** What an execution id looks like (a UUID). */
export const EXECUTION_ID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Default `iss` of principal tokens. */
const DEFAULT_ISSUER = 'citygraph-gateway';
/** `aud` of principal tokens: only subgraphs accept them, and no other token is accepted there. */
const AUDIENCE = 'citygraph-subgraph';
/** Explicit type (RFC 8725 §3.11) so no other EdDSA JWT signed by the same key passes as a principal. */
const TOKEN_TYPE = 'citygraph-principal+jwt';
/** EdDSA only: pinning the algorithm is what makes `alg: none` and HS256-with-the-public-key fail. */
const ALGORITHMS = ['EdDSA'];
/** Refuses bytes that are not UTF-8, as jose does for a claims set. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** An Ed25519 signature in base64url: 64 bytes. */
const SIGNATURE_FORMAT = /^[A-Za-z0-9_-]{86}$/;
/** Most tokens a signer or verifier remembers at once; past it the oldest entry is dropped. */
const MAX_REMEMBERED = 10_000;

const text = z.string().min(1).max(256);
const principalSchema = z.object({
  sub: text.nullable(),
  role: z.enum(ROLES),
  department: text.nullable(),
  scopes: z.array(text.regex(/^\S+$/)).max(64),
  onBehalfOf: text.nullable(),
  client: text.nullable(),
  purpose: z.string().regex(PURPOSE_FORMAT).nullable().optional(),
});
// On the wire a null sub is an absent `sub` (a JWT sub must be a string).
const claimsSchema = principalSchema.extend({ sub: text.optional() });

/**
 * The key id (`kid`) of a principal key: the first 16 characters of the base64url SHA-256 of its SPKI
 * DER. Derived, never configured, so the gateway and the subgraphs cannot disagree about it.
 */
export function principalKeyId(keyPem: string): string {
  const key = createPublicKey(keyPem.includes('PRIVATE KEY') ? createPrivateKey(keyPem) : keyPem);
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
}

/** The PEM public keys in a text holding one or several (e.g. the current key and the next during a rollover). */
export function splitPublicKeys(text: string): string[] {
  return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
}

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
  /** Lifetime of a token in seconds; default 60 (room for slow subgraphs). */
  ttlSeconds?: number;
  /**
   * How long a token is handed out again for an equal principal, in seconds; default a sixth of the
   * lifetime (10 s of 60), so every token handed out still has five sixths of its lifetime left. 0 signs
   * a token per call.
   */
  reuseSeconds?: number;
}

/**
 * Creates the gateway's signer: `sign(principal)` → a compact EdDSA JWT for PRINCIPAL_HEADER. The token
 * names the principal only (the request id travels in REQUEST_ID_HEADER), so the token signed for a
 * principal is handed out again to the same principal's requests for `reuseSeconds`: one signature per
 * caller every few seconds instead of one per request, and one verification per token in each subgraph.
 */
export async function createPrincipalSigner(options: PrincipalSignerOptions): Promise<PrincipalSigner> {
  const issuer = options?.issuer ?? DEFAULT_ISSUER;
  const ttl = options?.ttlSeconds ?? 60;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
    throw new TypeError(`createPrincipalSigner: ttlSeconds must be an integer from 1 to 3600, got ${String(ttl)}.`);
  }
  const reuse = options?.reuseSeconds ?? Math.floor(ttl / 6);
  if (!Number.isFinite(reuse) || reuse < 0 || reuse > ttl / 2) {
    throw new TypeError(`createPrincipalSigner: reuseSeconds must be from 0 to half of ttlSeconds, got ${String(reuse)}.`);
  }
  const key = await importKey('createPrincipalSigner: privateKeyPem must be an Ed25519 private key in PKCS#8 PEM', async () => {
    const k = createPrivateKey(options?.privateKeyPem);
    if (k.asymmetricKeyType !== 'ed25519') throw new TypeError('not Ed25519');
    return k;
  });
  // The kid tells subgraphs holding the current and the next key (a rollover) which one to check.
  const header = principalHeader(principalKeyId(options.privateKeyPem));
  const signed = new Map<string, { token: string; since: number; until: number }>();
  // Signed with node:crypto's one-shot Ed25519, on this thread: jose signs through WebCrypto, a job on
  // libuv's thread pool per token, which cost about twice the signature itself (docs/BENCHMARKS.md).
  const signNew = (principal: z.infer<typeof principalSchema>): string => {
    const { sub, ...rest } = principal;
    const iat = Math.floor(Date.now() / 1000);
    // A JWT `sub` must be a string, so the anonymous principal's null sub is expressed by its absence.
    const claims = { ...rest, ...(sub !== null ? { sub } : {}), iss: issuer, aud: AUDIENCE, iat, exp: iat + ttl, jti: randomUUID() };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${signBytes(null, Buffer.from(input), key).toString('base64url')}`;
  };
  const sign = async (p: Principal): Promise<string> => {
    // Checked on every call, so a bug in the gateway fails at the gateway, not as a 401 in every subgraph.
    const principal = principalSchema.parse(p);
    if (reuse === 0) return signNew(principal);
    // The parsed principal, fields in schema order: equal principals, and only those, share a token.
    const id = JSON.stringify(principal);
    const now = Date.now();
    // Tokens past their reuse go, oldest first (the map is in signing order): it holds the principals of
    // the last `reuseSeconds`, not up to MAX_REMEMBERED tokens nobody will be handed again.
    for (const [k, e] of signed) {
      if (e.until > now) break;
      signed.delete(k);
    }
    const known = signed.get(id);
    if (known && now >= known.since && now < known.until) return known.token;
    if (known) signed.delete(id);
    else if (signed.size >= MAX_REMEMBERED) signed.delete(signed.keys().next().value!);
    // Signing is synchronous: a failure throws before anything is remembered.
    const token = signNew(principal);
    signed.set(id, { token, since: now, until: now + reuse * 1000 });
    return token;
  };
  return Object.defineProperty(sign, 'remembered', { get: () => signed.size }) as PrincipalSigner;
}

/** The gateway's signer: a principal → its token; `remembered` counts the tokens kept for reuse. */
export type PrincipalSigner = ((p: Principal) => Promise<string>) & { readonly remembered: number };

/** Options of createPrincipalVerifier. */
export interface PrincipalVerifierOptions {
  /**
   * The gateway's Ed25519 public key, SPKI PEM; or several PEM blocks one after the other (the current
   * and the next key while a new one is rolled out): a token is checked with the key its `kid` names.
   * Required.
   */
  publicKeyPem: string;
  /** Expected `iss`; default `citygraph-gateway`. */
  issuer?: string;
  /** Clock skew allowed between gateway and subgraph hosts, in seconds; default 5. */
  clockToleranceSeconds?: number;
}

/**
 * Creates a subgraph's verifier: `verify(token, requestId)` (the values of PRINCIPAL_HEADER and
 * REQUEST_ID_HEADER) → the principal and request id, or a CityGraphError UNAUTHENTICATED for a missing,
 * malformed, expired, wrongly signed or ill-formed token, or a request id that is missing or not of
 * REQUEST_ID_FORMAT. A token that passed is remembered until its `exp`, so the gateway's reuse of a
 * token costs one signature check per token, not one per request.
 */
export async function createPrincipalVerifier(
  options: PrincipalVerifierOptions,
): Promise<(token: string | undefined, requestId: string | undefined) => Promise<{ principal: Principal; requestId: string }>> {
  const issuer = options?.issuer ?? DEFAULT_ISSUER;
  const clockTolerance = options?.clockToleranceSeconds ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError(`createPrincipalVerifier: clockToleranceSeconds must be from 0 to 300, got ${String(clockTolerance)}.`);
  }
  const pems = typeof options?.publicKeyPem === 'string' ? splitPublicKeys(options.publicKeyPem) : [];
  if (pems.length === 0) throw new TypeError('createPrincipalVerifier: publicKeyPem must be an Ed25519 public key in SPKI PEM (or several, one after the other).');
  // One key object each, for both paths: node:crypto's own and jose's.
  const keys = new Map<string, KeyObject>();
  // The header each key's tokens carry, exactly as the signer writes it: such tokens take the fast path.
  const ownHeaders = new Map<string, KeyObject>();
  for (const pem of pems) {
    const kid = principalKeyId(pem);
    const publicKey = await importKey('createPrincipalVerifier: publicKeyPem must be an Ed25519 public key in SPKI PEM', async () => {
      const k = createPublicKey(pem);
      if (k.asymmetricKeyType !== 'ed25519') throw new TypeError('not Ed25519');
      return k;
    });
    keys.set(kid, publicKey);
    ownHeaders.set(principalHeader(kid), publicKey);
  }
  // An older gateway's tokens had no kid; they name the key only when there is one.
  if (pems.length === 1) ownHeaders.set(principalHeader(undefined), keys.values().next().value!);
  const only = keys.size === 1 ? [...keys.values()][0]! : null;
  // The key the token's kid names; a token without kid (an older gateway) only when there is one key.
  const key = (header: { kid?: string }) => {
    const k = header.kid === undefined ? only : keys.get(header.kid);
    if (!k) throw new UnknownKey();
    return k;
  };
  // Only tokens that passed every check below, each until its own `exp` (the clock tolerance is not
  // added, so never longer than jose would accept it); a forgotten token is simply checked again.
  const verified = new Map<string, { principal: Principal; since: number; until: number }>();
  /**
   * The signer's own tokens, checked on this thread with node:crypto (jose checks through WebCrypto, a job
   * on libuv's thread pool per token): the header byte for byte as the signer writes it (so alg, typ and
   * kid are known), the Ed25519 signature, then the claims jose would check. Whatever this path does not
   * accept outright goes through jose, whose refusal names the reason.
   */
  const verifyOwn = (token: string, now: number): JWTPayload | null => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.includes('.', second + 1)) return null;
    const publicKey = ownHeaders.get(token.slice(0, first));
    const signature = token.slice(second + 1);
    if (!publicKey || !SIGNATURE_FORMAT.test(signature)) return null;
    if (!verifyBytes(null, Buffer.from(token.slice(0, second)), publicKey, Buffer.from(signature, 'base64url'))) {
      throw refuse('has an invalid signature', 'signature');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(STRICT_UTF8.decode(Buffer.from(token.slice(first + 1, second), 'base64url')));
    } catch {
      return null;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
    const c = payload as JWTPayload;
    const seconds = Math.floor(now / 1000);
    if (c.iss !== issuer || c.aud !== AUDIENCE || typeof c.iat !== 'number' || typeof c.jti !== 'string') return null;
    if (typeof c.exp !== 'number' || c.exp <= seconds - clockTolerance) return null;
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > seconds + clockTolerance)) return null;
    return c;
  };
  const verifyToken = async (token: string): Promise<Principal> => {
    const now = Date.now();
    const known = verified.get(token);
    if (known && now >= known.since && now < known.until) return known.principal;
    if (known) verified.delete(token);
    let payload: JWTPayload;
    try {
      payload = verifyOwn(token, now) ?? (await jwtVerify(token, key, {
        algorithms: ALGORITHMS,
        issuer,
        audience: AUDIENCE,
        typ: TOKEN_TYPE,
        clockTolerance,
        requiredClaims: ['exp', 'iat', 'jti'],
      })).payload;
    } catch (e) {
      if (e instanceof CityGraphError) throw e;
      if (e instanceof UnknownKey) throw refuse('is signed by a key this subgraph does not hold (kid); roll the new key out to the subgraphs before the gateway', 'kid');
      throw refuse(...describeJoseFailure(e));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw refuse('has claims that are not a valid principal', 'claims');
    const { sub, ...rest } = claims.data;
    const principal = freezePrincipal({ sub: sub ?? null, ...rest });
    const until = payload.exp! * 1000;
    if (until > now) {
      if (verified.size >= MAX_REMEMBERED) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, since: now, until });
    }
    return principal;
  };
  return async (token, requestId) => {
    if (typeof token !== 'string' || token === '') throw refuse('is missing; subgraphs answer only requests sent by the gateway', 'missing');
    const principal = await verifyToken(token);
    if (typeof requestId !== 'string' || !REQUEST_ID_FORMAT.test(requestId)) {
      throw new CityGraphError(ErrorCode.UNAUTHENTICATED, `The ${REQUEST_ID_HEADER} header is missing or malformed; the gateway always sets it.`, {
        details: { reason: 'requestId' },
      });
    }
    return { principal, requestId };
  };
}

class UnknownKey extends Error {}

/** The protected header of a principal token signed by the key `kid`, base64url, as the signer writes it. */
function principalHeader(kid: string | undefined): string {
  return Buffer.from(JSON.stringify(kid === undefined ? { alg: 'EdDSA', typ: TOKEN_TYPE } : { alg: 'EdDSA', typ: TOKEN_TYPE, kid })).toString('base64url');
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
