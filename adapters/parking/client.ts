/**
 * The platform's wire: a signed JSON POST per API call (`app_id`, a fresh `rand`, `timestamp`, `sign` =
 * MD5 over the sorted parameters and the app secret, 32 upper-case hex), and the reply envelope
 * `{code, msg, seqno, data_node, time_cost, payload}` parsed with lossless-json so money keeps its digits.
 */
import { createHash } from 'node:crypto';
import { LosslessNumber, parse } from 'lossless-json';
import { httpFetch } from '../../core/http-fetch.ts';
import { randomHex } from '../../core/request-scope.ts';
import { parkingError } from './faults.ts';

/** Where and as whom to call the platform. */
export interface PlatformEndpoint {
  /** Base URL; APIs are under `/gate/1.0/`. */
  url: string;
  appId: string;
  secret: string;
}

/** A decimal the platform must receive as a JSON number with its exact digits, e.g. `12.50`. */
export class ExactNumber {
  readonly digits: string;
  constructor(digits: string) {
    this.digits = digits;
  }
}

/** One successful reply: the code (1001 success, 1000 accepted) and the payload. */
export interface PlatformReply {
  code: '1000' | '1001';
  payload: Record<string, unknown>;
}

/** Signature of a request body: every non-empty field but `sign`, sorted, `k=v&…&key=secret`, MD5, upper hex. */
export function sign(body: Record<string, unknown>, secret: string): string {
  const text = Object.keys(body)
    .filter((k) => k !== 'sign' && body[k] !== undefined && body[k] !== null && body[k] !== '')
    .sort()
    .map((k) => {
      const v = body[k];
      return `${k}=${v instanceof ExactNumber ? v.digits : typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
    })
    .join('&');
  return createHash('md5').update(`${text}&key=${secret}`, 'utf8').digest('hex').toUpperCase();
}

/** The JSON text of a body; ExactNumbers are written as bare digits. */
function toJson(body: Record<string, unknown>): string {
  const parts = Object.entries(body).map(([k, v]) => `${JSON.stringify(k)}:${v instanceof ExactNumber ? v.digits : JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}

/**
 * Calls one API. A 429 throws ADAPTER_RATE_LIMITED carrying `retryAfterSeconds`; a `1500` throws the
 * mapped error; transport failures propagate for LegacyCaller to classify.
 */
export async function callPlatform(
  endpoint: PlatformEndpoint,
  api: string,
  params: Record<string, unknown>,
  call: { signal: AbortSignal; requestId: string },
): Promise<PlatformReply> {
  // A fresh rand per attempt: the platform refuses a repeated one as a replay, even when the business
  // parameters (and so the idempotency key) are the same. From the pooled random buffer: a randomBytes
  // call each was ≈ 3 % of the parking subgraph's CPU profile under the dashboard load.
  const body: Record<string, unknown> = { app_id: endpoint.appId, rand: randomHex(12), timestamp: Math.floor(Date.now() / 1000), ...params };
  body.sign = sign(body, endpoint.secret);
  let status: number;
  let retryAfter: string | null;
  let text: string;
  try {
    const res = await httpFetch(new URL(`gate/1.0/${api}`, endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json', 'x-request-id': call.requestId },
      body: toJson(body),
      signal: call.signal,
    });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    text = await res.text();
  } catch (cause) {
    if ((cause as Error)?.name === 'AbortError') throw cause;
    throw parkingError({ kind: 'network', cause });
  }
  if (status === 429) throw parkingError({ kind: 'rateLimited', retryAfterSeconds: retryAfterSeconds(retryAfter) });
  if (status !== 200) throw parkingError({ kind: 'http', status });
  let reply: unknown;
  try {
    reply = parse(text, null, (n) => (/^-?\d+$/.test(n) && Number.isSafeInteger(Number(n)) ? Number(n) : new LosslessNumber(n)));
  } catch (cause) {
    throw parkingError({ kind: 'notJson', cause });
  }
  const r = reply as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || typeof r.code !== 'string') throw parkingError({ kind: 'badShape', field: 'envelope' });
  if (r.code === '1500') {
    const payload = r.payload as Record<string, unknown> | null;
    const errCode = typeof payload?.err_code === 'string' ? payload.err_code : 'UNKNOWN';
    throw parkingError({ kind: 'failure', errCode, msg: typeof r.msg === 'string' ? r.msg : '' });
  }
  if ((r.code !== '1000' && r.code !== '1001') || typeof r.payload !== 'object' || r.payload === null) throw parkingError({ kind: 'badShape', field: 'envelope' });
  return { code: r.code, payload: r.payload as Record<string, unknown> };
}

/** Retry-After as seconds: a whole number, or an HTTP date; 1 when absent or unreadable. */
export function retryAfterSeconds(header: string | null): number {
  if (header === null) return 1;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
