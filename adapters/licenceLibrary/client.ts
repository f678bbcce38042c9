/**
 * The library's wire (LEGACY.md): a JSON POST `{"data": …}` to `/dzzz/api/v1/<service>` carrying the
 * gateway-style signature headers (`x-tif-paasid`, `x-tif-timestamp` in Unix seconds, `x-tif-nonce`,
 * `x-tif-signature` = upper-case hex SM3 of timestamp ‖ secret ‖ nonce ‖ timestamp), and the reply
 * envelope `{"head": {"status", "message", "rid"}, "data": …}`, `status` "0" meaning success.
 */
import { createHash } from 'node:crypto';
import { httpFetch } from '../../core/http-fetch.ts';
import { randomHex } from '../../core/request-scope.ts';
import { licenceLibraryError } from './faults.ts';

/** The base path of the library's services. */
export const API_PATH = '/dzzz/api/v1/';

/** The services the graph calls. */
export type LibraryService = 'zzxx/query' | 'zzxx/holder' | 'yz/use' | 'jg/keys';

/** Where and as whom to call the library. */
export interface LibraryEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:4107`. */
  url: string;
  /** Our application id (`x-tif-paasid`). */
  appKey: string;
  /** Shared secret of the signature. */
  appSecret: string;
}

/** The four signature headers of one request. */
export function signatureHeaders(endpoint: LibraryEndpoint, nowMs: number, nonce: string): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = createHash('sm3').update(`${timestamp}${endpoint.appSecret}${nonce}${timestamp}`).digest('hex').toUpperCase();
  return { 'x-tif-paasid': endpoint.appKey, 'x-tif-timestamp': timestamp, 'x-tif-nonce': nonce, 'x-tif-signature': signature };
}

/** Reads a reply body: the envelope's data, or the fault it stands for. */
export function readReply(status: number, text: string): unknown {
  if (status !== 200) throw licenceLibraryError({ kind: 'httpStatus', status });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw licenceLibraryError({ kind: 'badJson' }, e);
  }
  const head = (body as { head?: unknown } | null)?.head as { status?: unknown } | undefined;
  if (!head || typeof head !== 'object' || typeof head.status !== 'string') throw licenceLibraryError({ kind: 'badEnvelope' });
  if (head.status !== '0') throw licenceLibraryError({ kind: 'status', status: head.status });
  return (body as { data?: unknown }).data;
}

/** One call: sign, send, read the envelope. Transport errors propagate untouched for LegacyCaller to classify. */
export async function callLibrary(endpoint: LibraryEndpoint, service: LibraryService, data: Record<string, unknown>, call: { signal: AbortSignal; requestId: string }): Promise<unknown> {
  const response = await httpFetch(`${endpoint.url.replace(/\/$/, '')}${API_PATH}${service}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': call.requestId,
      ...signatureHeaders(endpoint, Date.now(), randomHex(8)),
    },
    body: JSON.stringify({ data }),
    signal: call.signal,
  });
  return readReply(response.status, await response.text());
}
