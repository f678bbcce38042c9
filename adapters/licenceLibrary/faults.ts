/**
 * The one mapping from the licence library's failures to CityGraph error codes. Inside the adapter
 * these are the codes every adapter uses (so LegacyCaller retries and counts them as it does for any
 * system); at the adapter's edge (index.ts `libraryUnavailable`) every failure of the library itself
 * becomes LICENCE_LIBRARY_UNAVAILABLE: nothing is decided on the word of a library that is down or
 * answers garbage. Messages never carry the library's own text.
 */
import { CityGraphError, ErrorCode, isCityGraphError } from '../../core/errors.ts';

/** Department name carried by every error of this adapter. */
export const DEPARTMENT = 'licenceLibrary';

/** Every way the library can fail, as the client and mapper observe it. */
export type LibraryFault =
  /** The envelope's `head.status` is not `0`; `status` as sent. */
  | { kind: 'status'; status: string }
  /** An HTTP status other than 200. */
  | { kind: 'httpStatus'; status: number }
  /** The body is not JSON (truncated, an HTML page). */
  | { kind: 'badJson' }
  /** JSON, but not the `{head, data}` envelope or not the data this service answers. */
  | { kind: 'badEnvelope' }
  /** One certificate failed its check; `field` is the graph's name of the offending field. */
  | { kind: 'badRecord'; field: string };

/** head.status values with a meaning the graph knows (invented, see LEGACY.md). */
const NOT_FOUND = '2001';
const BUSY = '5000';

/** Maps a library failure to a CityGraphError with a stable code and a safe message. */
export function licenceLibraryError(fault: LibraryFault, cause?: unknown): CityGraphError {
  const options = (details?: Record<string, string | number>) => ({ department: DEPARTMENT, cause, ...(details ? { details } : {}) });
  switch (fault.kind) {
    case 'status': {
      const status = /^\d{1,4}$/.test(fault.status) ? fault.status : 'other';
      if (status === NOT_FOUND) return new CityGraphError(ErrorCode.NOT_FOUND, 'The electronic licence library holds no such certificate.', options({ status }));
      if (status === BUSY) return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The electronic licence library is busy (status 5000).', options({ status }));
      return new CityGraphError(ErrorCode.LEGACY_ERROR, `The electronic licence library refused the request (status ${status}).`, options({ status }));
    }
    case 'httpStatus':
      if ([502, 503, 504].includes(fault.status)) {
        return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, `The electronic licence library is unavailable (HTTP ${fault.status}).`, options({ status: fault.status }));
      }
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The electronic licence library answered with an unexpected HTTP status ${fault.status}.`, options({ status: fault.status }));
    case 'badJson':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The electronic licence library answered with something that is not JSON.', options());
    case 'badEnvelope':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The electronic licence library answered outside its protocol.', options());
    case 'badRecord':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The electronic licence library returned a certificate with an invalid ${fault.field}.`, options({ field: fault.field }));
  }
}

/**
 * Any failure of the library (timeout, unreachable, breaker open, garbage, a refusal) as the graph
 * reports it: LICENCE_LIBRARY_UNAVAILABLE, the adapter's own code kept in `details.reason`. Input
 * errors (BAD_USER_INPUT) pass through.
 */
export function libraryUnavailable(e: unknown): CityGraphError {
  if (isCityGraphError(e) && (e.code === ErrorCode.BAD_USER_INPUT || e.code === ErrorCode.LICENCE_LIBRARY_UNAVAILABLE)) return e;
  const reason = isCityGraphError(e) ? e.code : 'UNEXPECTED';
  return new CityGraphError(ErrorCode.LICENCE_LIBRARY_UNAVAILABLE, 'The electronic licence library cannot be asked right now (down, too slow, or answering outside its protocol), so no document can be checked; try again later.', {
    department: DEPARTMENT,
    cause: e,
    details: { reason },
  });
}
