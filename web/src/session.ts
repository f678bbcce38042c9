/**
 * The signed-in session: the token lives in this tab's sessionStorage only, goes out only in the
 * Authorization header, and never into a URL, a log or localStorage.
 */

/** Who is signed in, as the token says (read, not verified: the gateway verifies it). */
export interface Session {
  token: string;
  role: string;
  sub: string;
  /** The citizen an app acts for. */
  onBehalfOf: string | null;
  /** Expiry, seconds since the epoch; null when the token has none. */
  exp: number | null;
}

const KEY = 'citygraph.session';

/** Reads the claims a page needs from a compact JWT; null when it is not one. */
export function sessionFromToken(token: string): Session | null {
  const part = token.trim().split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    if (typeof json.role !== 'string' || typeof json.sub !== 'string') return null;
    return { token: token.trim(), role: json.role, sub: json.sub, onBehalfOf: typeof json.obo === 'string' ? json.obo : null, exp: typeof json.exp === 'number' ? json.exp : null };
  } catch {
    return null;
  }
}

/** The current session, or null. */
export function currentSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionFromToken(token) : null;
}

/** Keeps a session for this tab. */
export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, s.token);
}

/** Forgets the session (sign-out, or an expired token). */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
