/**
 * Verified JWT claims → Principal. The signature proves who issued the claims; this proves they make
 * sense for the role, so that a rule like "citizen: own records" never meets a citizen without an ID.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { freezePrincipal, ROLES, type Principal, type Role } from '../../core/principal.ts';
import { validateResidentId } from '../../core/resident-id.ts';
import { isValidUscc } from '../../core/uscc.ts';

/** Roles a user token may carry; `anonymous` is never a token, it is the absence of one. */
export const TOKEN_ROLES = ROLES.filter((r): r is Exclude<Role, 'anonymous'> => r !== 'anonymous');

/** A scope name (RFC 6749 scope-token): printable ASCII without space, `"` or `\`. */
export const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
/** A department code or client name: short, printable, no spaces, safe to put in a log line. */
export const SHORT_NAME = /^[A-Za-z0-9_.:@-]{1,64}$/;

/**
 * Builds a principal from verified claims: `sub`, `role`, `dept`, `scope` (space-separated) and/or
 * `scopes` (array), `obo`, `client` or `azp`. Throws UNAUTHENTICATED naming the claim that failed;
 * messages never quote claim values, which may be resident IDs.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const role = claims.role;
  if (typeof role !== 'string' || !(TOKEN_ROLES as readonly string[]).includes(role)) {
    throw refuse(`its "role" claim must be one of ${TOKEN_ROLES.join(', ')}`, 'role');
  }
  let sub = optionalString(claims.sub, 'sub', 256);
  if (sub === null) throw refuse('it has no "sub" claim', 'sub');
  const department = optionalString(claims.dept, 'dept', 64);
  if (department !== null && !SHORT_NAME.test(department)) throw refuse('its "dept" claim is not a department code', 'dept');
  let onBehalfOf = optionalString(claims.obo, 'obo', 256);
  const client = optionalString(claims.client, 'client', 64) ?? optionalString(claims.azp, 'azp', 64);
  if (client !== null && !SHORT_NAME.test(client)) throw refuse('its "client" claim is not a client name', 'client');
  const scopes = scopesOf(claims);

  // Fields that do not belong to a role are refused, not dropped: an odd token is a misconfigured issuer.
  if (role !== 'staff' && department !== null) throw refuse('only a staff token may carry "dept"', 'dept');
  if (role !== 'app' && onBehalfOf !== null) throw refuse('only an app token may carry "obo"', 'obo');
  switch (role as Exclude<Role, 'anonymous'>) {
    case 'citizen':
      sub = residentId(sub, 'a citizen token\'s "sub" must be a valid resident ID number', 'sub');
      break;
    case 'enterprise':
      // The whole GB 32100 check, so "own enterprise" never compares against a code that cannot exist.
      if (!isValidUscc(sub)) throw refuse('an enterprise token\'s "sub" must be a valid unified social credit code (GB 32100, check character included)', 'sub');
      sub = sub.trim().toUpperCase();
      break;
    case 'staff':
      if (department === null) throw refuse('a staff token needs a "dept" claim', 'dept');
      break;
    case 'app':
      if (onBehalfOf === null) throw refuse('an app token needs an "obo" claim naming the citizen it acts for', 'obo');
      onBehalfOf = residentId(onBehalfOf, 'an app token\'s "obo" must be a valid resident ID number', 'obo');
      break;
    case 'integrator':
      if (client === null) throw refuse('an integrator token needs a "client" or "azp" claim', 'client');
      break;
    case 'auditor':
    case 'admin':
      break;
  }
  return freezePrincipal({ sub, role: role as Role, department, scopes, onBehalfOf, client });
}

function scopesOf(claims: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (claims.scope !== undefined) {
    if (typeof claims.scope !== 'string') throw refuse('its "scope" claim must be a space-separated string', 'scope');
    out.push(...claims.scope.split(' ').filter((s) => s !== ''));
  }
  if (claims.scopes !== undefined) {
    if (!Array.isArray(claims.scopes) || !claims.scopes.every((s) => typeof s === 'string')) {
      throw refuse('its "scopes" claim must be an array of strings', 'scopes');
    }
    out.push(...(claims.scopes as string[]));
  }
  if (out.length > 64 || !out.every((s) => SCOPE_NAME.test(s))) throw refuse('its scopes are not valid scope names', 'scope');
  return [...new Set(out)];
}

function optionalString(value: unknown, claim: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw refuse(`its "${claim}" claim must be a non-empty string of at most ${max} characters`, claim);
  }
  return value;
}

function residentId(value: string, message: string, claim: string): string {
  try {
    // Normalised (lowercase x → X) so "own records" compares equal IDs as equal.
    return validateResidentId(value);
  } catch {
    throw refuse(message, claim);
  }
}

function refuse(problem: string, claim: string): CityGraphError {
  return new CityGraphError(ErrorCode.UNAUTHENTICATED, `The bearer token was refused: ${problem}.`, {
    details: { reason: 'claims', claim },
  });
}
