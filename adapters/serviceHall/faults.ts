/**
 * The one mapping from the service hall's failures to CityGraph error codes. The hall's DESC text is
 * legacy payload: it goes to the log, never into a message a client reads.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name carried by every error of this adapter. */
export const DEPARTMENT = 'serviceHall';

/** Every way the hall can fail, as the client and mapper see it. */
export type ServiceHallFault =
  /** A reply whose STATUS is not 200; `method` is the hall method called. */
  | { kind: 'status'; status: number; method: string }
  /** No valid access token could be obtained (credentials refused, or a fresh token refused at once). */
  | { kind: 'token'; reason: 'credentials' | 'refused' }
  /** The reply is not well-formed XML (e.g. truncated). */
  | { kind: 'badXml' }
  /** Well-formed XML, but not `<RESULT><STATUS>…`. */
  | { kind: 'notResult' }
  /** An HTTP status other than 200. */
  | { kind: 'httpStatus'; status: number }
  /** A record failed its check; `field` in the graph's words. */
  | { kind: 'badRecord'; field: string };

/** Maps a hall failure to a CityGraphError with a stable code and a safe message. */
export function serviceHallError(fault: ServiceHallFault, cause?: unknown): CityGraphError {
  const o = (details?: Record<string, string | number>) => ({ department: DEPARTMENT, cause, ...(details ? { details } : {}) });
  switch (fault.kind) {
    case 'status':
      switch (fault.status) {
        case 404:
          return new CityGraphError(ErrorCode.NOT_FOUND, 'The service hall has no case with this number.', o({ status: 404 }));
        case 409:
          return new CityGraphError(ErrorCode.CASE_STATE_CONFLICT, 'The service hall refused the step: the case is not in a state that allows it. Read the case again for its current state.', o({ status: 409 }));
        case 403:
          return new CityGraphError(ErrorCode.FORBIDDEN, "The service hall refused the step for this handler (not the matter's department, or not the applicant).", o({ status: 403 }));
        case 400:
          return new CityGraphError(ErrorCode.LEGACY_ERROR, `The service hall refused the request as incomplete or malformed (${fault.method}, status 400).`, o({ status: 400, method: fault.method }));
        default:
          return new CityGraphError(ErrorCode.LEGACY_ERROR, `The service hall reported an error (${fault.method}, status ${fault.status}).`, o({ status: fault.status, method: fault.method }));
      }
    case 'token':
      return fault.reason === 'credentials'
        ? new CityGraphError(ErrorCode.LEGACY_ERROR, 'The service hall refused our application credentials, so no access token could be obtained.', o({ token: 'credentials' }))
        : new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The service hall refused a freshly issued access token; it cannot be used now.', o({ token: 'refused' }));
    case 'badXml':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The service hall answered with malformed XML.', o());
    case 'notResult':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The service hall answered with something that is not its <RESULT> reply.', o());
    case 'httpStatus':
      if ([502, 503, 504].includes(fault.status)) return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, `The service hall is unavailable (HTTP ${fault.status}).`, o({ status: fault.status }));
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The service hall answered with an unexpected HTTP status ${fault.status}.`, o({ status: fault.status }));
    case 'badRecord':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The service hall returned a record with an invalid ${fault.field}.`, o({ field: fault.field }));
  }
}
