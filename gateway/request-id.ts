/** Request ids: a client's `x-request-id` when it is a sane token, otherwise a new one. */
import { randomUUID } from 'node:crypto';

/** Header carrying the request id, from client to gateway to subgraphs to legacy systems. */
export const REQUEST_ID_HEADER = 'x-request-id';

// A client's id ends up in logs and legacy calls, so only short, plain tokens are kept.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** The request id to use for an incoming request. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}
