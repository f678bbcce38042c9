/** Request ids: a client's `x-request-id` when it is a sane token, otherwise a new one. */
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_FORMAT, REQUEST_ID_HEADER } from '../core/principal.ts';

/** Header carrying the request id, from client to gateway to subgraphs to legacy systems. */
export { REQUEST_ID_HEADER };

/** The request id to use for an incoming request. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  // A client's id ends up in logs and legacy calls (and subgraphs refuse any other shape), so only short, plain tokens are kept.
  return value && REQUEST_ID_FORMAT.test(value) ? value : randomUUID();
}
