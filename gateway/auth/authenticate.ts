/**
 * The gateway's one authentication step: request headers → Principal. No credential is the anonymous
 * principal; a credential that is present but bad is always UNAUTHENTICATED, never a silent anonymous.
 * Only `authorization` and `x-api-key` are read: identity headers a client sends (`x-user-id`,
 * `x-role`, `x-citygraph-principal`, …) are never looked at.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { ANONYMOUS, freezePrincipal, PURPOSE_FORMAT, PURPOSE_HEADER, type Principal } from '../../core/principal.ts';
import { API_KEY_HEADER, createApiKeyStore } from './api-keys.ts';
import { createJwtVerifier, type JwtOptions } from './jwt.ts';

/** Options of createAuthenticator. */
export interface AuthenticatorOptions {
  /** Bearer JWT verification; exactly one of hs256Secret, jwksUrl, jwksFile is required. */
  jwt: JwtOptions;
  /** The integrator API key file; default none, and then an `x-api-key` header is refused. */
  apiKeysFile?: string;
}

/** Request headers as Node gives them (lowercase names; arrays for repeated headers). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** An authenticator: `authenticate(headers)` → Principal, or throws CityGraphError UNAUTHENTICATED. */
export interface Authenticator {
  authenticate(headers: RequestHeaders): Promise<Principal>;
}

/** Creates the gateway's authenticator; invalid options throw a TypeError here, not on a request. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  if (!options || typeof options.jwt !== 'object' || options.jwt === null) {
    throw new TypeError('createAuthenticator needs options.jwt with hs256Secret (development) or jwksUrl / jwksFile (production).');
  }
  const verifyJwt = createJwtVerifier(options.jwt);
  const apiKeys = options.apiKeysFile === undefined ? null : createApiKeyStore({ file: options.apiKeysFile });

  return {
    async authenticate(headers) {
      const principal = await identify(headers);
      // The declared purpose travels inside the signed principal, so every subgraph records the same one.
      const raw = single(headers, PURPOSE_HEADER)?.trim();
      if (raw === undefined || raw === '') return principal;
      // Header values are bytes: a purpose in Chinese comes percent-encoded (UTF-8), e.g. encodeURIComponent('住宿登记').
      let declared: string;
      try {
        declared = decodeURIComponent(raw).trim();
      } catch {
        throw refuse(`The ${PURPOSE_HEADER} header is not valid percent-encoded UTF-8.`, 'purpose');
      }
      if (!PURPOSE_FORMAT.test(declared)) throw refuse(`The ${PURPOSE_HEADER} header must be 1–128 characters without control characters.`, 'purpose');
      return freezePrincipal({ ...principal, purpose: declared });
    },
  };

  /** Who is calling, from `authorization` or `x-api-key`. */
  async function identify(headers: RequestHeaders): Promise<Principal> {
    const authorization = single(headers, 'authorization');
    const apiKey = single(headers, API_KEY_HEADER);
    if (authorization !== undefined && apiKey !== undefined) {
      // Two identities in one request: picking either would be a guess about who is calling.
      throw refuse('Send either an Authorization bearer token or an x-api-key, not both.', 'ambiguous');
    }
    if (authorization !== undefined) {
      const match = /^Bearer +([^ ]+) *$/i.exec(authorization);
      if (!match) throw refuse('The Authorization header must be "Bearer <token>".', 'scheme');
      return verifyJwt(match[1]!);
    }
    if (apiKey !== undefined) {
      if (!apiKeys) throw refuse('API keys are not accepted by this gateway.', 'apiKeysDisabled');
      return apiKeys.authenticate(apiKey.trim());
    }
    return ANONYMOUS;
  }
}

/**
 * The value of header `name`, matched case-insensitively. A header that is present but empty counts
 * as present (an unset `$TOKEN` must not turn into anonymous access); a repeated one is refused.
 */
function single(headers: RequestHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (found !== undefined || values.length !== 1) throw refuse(`Send the ${name} header once.`, 'repeated');
    found = values[0]!;
  }
  return found;
}

function refuse(message: string, reason: string): CityGraphError {
  return new CityGraphError(ErrorCode.UNAUTHENTICATED, message, { details: { reason } });
}
