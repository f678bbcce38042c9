/**
 * The platform's wire conventions: request signatures (MD5 over the sorted parameters and the app
 * secret, 32 upper-case hex), the reply envelope `{code, msg, seqno, data_node, time_cost, payload}`
 * and money as JSON numbers with two decimals. The stand-in's own copy: the adapter must get the same
 * bytes right on its own.
 */
import { createHash } from 'node:crypto';
import { LosslessNumber, stringify } from 'lossless-json';

/** Reply codes: 1000 accepted (pending), 1001 success, 1500 failure. */
export const CODE = { ACCEPTED: '1000', SUCCESS: '1001', FAILURE: '1500' } as const;

/** The app the stand-in knows unless told otherwise. DEVELOPMENT ONLY. */
export const DEV_APP_ID = 'citygraph';
/** Its secret. DEVELOPMENT ONLY. */
export const DEV_APP_SECRET = 'DEV-ONLY-not-a-secret-parking';

/** Signature of a request body: every field but `sign` with a non-empty value, sorted, `k=v&…&key=secret`. */
export function signOf(body: Record<string, unknown>, secret: string): string {
  const text = Object.keys(body)
    .filter((k) => k !== 'sign' && body[k] !== undefined && body[k] !== null && body[k] !== '')
    .sort()
    // Lists are signed as their JSON text; an exact decimal (LosslessNumber) as its digits.
    .map((k) => `${k}=${typeof body[k] === 'object' && !(body[k] instanceof LosslessNumber) ? JSON.stringify(body[k]) : String(body[k])}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${secret}`, 'utf8').digest('hex').toUpperCase();
}

/** Cents as the platform writes money: a JSON number with exactly two decimals (`1250` → `12.50`). */
export function money(cents: number): LosslessNumber {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return new LosslessNumber(`${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`);
}

/** Parses a money field the client sent (`12.50`, a number or text) into cents, or null when not exact to the cent. */
export function centsOf(value: unknown): number | null {
  const text = value instanceof LosslessNumber ? value.value : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Builds a reply envelope's text. */
export function envelope(code: string, msg: string, seqno: string, startedAt: number, payload: unknown): string {
  return stringify({ code, msg, seqno, data_node: 'sy-park-node-02', time_cost: Math.max(1, Date.now() - startedAt), payload }) ?? '{}';
}
