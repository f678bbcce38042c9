/**
 * The one mapping from the parking platform's failures to CityGraph error codes. Messages are written
 * here for clients: never the platform's `msg`, its URL or a person's ID; raw detail goes into `cause`.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name on every error of this adapter. */
export const DEPARTMENT = 'parking';

/** A failure as seen at the platform's boundary. */
export type ParkingFault =
  /** `code: "1500"` with the platform's `err_code` (and `msg`, kept for the log only). */
  | { kind: 'failure'; errCode: string; msg?: string }
  /** HTTP 429; `retryAfterSeconds` from Retry-After. */
  | { kind: 'rateLimited'; retryAfterSeconds: number }
  /** 429s that would outlast the request's budget. */
  | { kind: 'rateLimitedTooLong'; retryAfterSeconds: number; budgetMs: number }
  /** The whole operation (waits and retries included) ran past the request's budget. */
  | { kind: 'budget'; budgetMs: number }
  /** A status other than 200 or 429. */
  | { kind: 'http'; status: number }
  /** A body that is not the platform's JSON envelope. */
  | { kind: 'notJson'; cause?: unknown }
  /** An envelope or record outside the protocol; `field` is the graph's name of what was wrong. */
  | { kind: 'badShape'; field: string; cause?: unknown }
  /** No answer at all (refused, reset). */
  | { kind: 'network'; cause: unknown };

type Mapping = readonly [ErrorCode, string, Record<string, string>?];

// err_code → what a person can do about it. Codes not listed are a generic LEGACY_ERROR.
const FAILURES: Readonly<Record<string, Mapping>> = {
  PARK_NOT_FOUND: [ErrorCode.NOT_FOUND, 'There is no car park with this id.'],
  RESERVE_NOT_FOUND: [ErrorCode.NOT_FOUND, 'You have no reservation with this id.'],
  ORDER_NOT_FOUND: [ErrorCode.NOT_FOUND, 'You have no parking session with this id.'],
  VEHICLE_NOT_BOUND: [ErrorCode.BAD_USER_INPUT, 'This plate is not registered to you on the parking platform; register the vehicle first.', { rule: 'plateNotRegistered' }],
  RESERVE_TIME_INVALID: [ErrorCode.BAD_USER_INPUT, 'A reservation must start now or later (at most 7 days ahead) and end after it starts.', { rule: 'reservationTime' }],
  RESERVE_CLOSED: [ErrorCode.BAD_USER_INPUT, 'The car park is closed for part of that time; see its openingHours.', { rule: 'lotClosed' }],
  RESERVE_TOO_LONG: [ErrorCode.BAD_USER_INPUT, 'A reservation may last at most 4 hours.', { rule: 'reservationLength' }],
  AMOUNT_MISMATCH: [ErrorCode.BAD_USER_INPUT, 'The amount does not equal what is due for this session; ask for the session again and pay its amountDue.', { rule: 'amountDue' }],
  IDEMPOTENCY_CONFLICT: [ErrorCode.BAD_USER_INPUT, 'This idempotency key was already used for a different request; use a new key for a new request.', { rule: 'idempotencyKeyReused' }],
  RESERVE_OVERLAP: [ErrorCode.CONFLICT, 'This vehicle already has a reservation overlapping that time.', { reason: 'overlap' }],
  RESERVE_FULL: [ErrorCode.CONFLICT, 'The car park has no reservable space left for that time; try another time or car park.', { reason: 'full' }],
  RESERVE_STATE: [ErrorCode.CONFLICT, 'This reservation is already cancelled or over.', { reason: 'reservationState' }],
  ORDER_PAID: [ErrorCode.CONFLICT, 'This parking session is already paid.', { reason: 'alreadyPaid' }],
  SYSTEM_BUSY: [ErrorCode.LEGACY_ERROR, 'The parking platform reported that it is busy; try again shortly.'],
  SIGN_ERROR: [ErrorCode.LEGACY_ERROR, 'The parking platform refused CityGraph\'s credentials; operators must check the app id and secret.'],
  APP_INVALID: [ErrorCode.LEGACY_ERROR, 'The parking platform refused CityGraph\'s credentials; operators must check the app id and secret.'],
  TIMESTAMP_INVALID: [ErrorCode.LEGACY_ERROR, 'The parking platform refused the request\'s time; operators must check the server clock.'],
};

/** Maps a platform failure to its error. */
export function parkingError(fault: ParkingFault): CityGraphError {
  const department = DEPARTMENT;
  switch (fault.kind) {
    case 'failure': {
      const known = FAILURES[fault.errCode];
      const cause = new Error(`code 1500 ${fault.errCode}: ${(fault.msg ?? '').slice(0, 200)}`);
      if (known) return new CityGraphError(known[0], known[1], { department, cause, details: { ...known[2], platformCode: fault.errCode } });
      const platformCode = /^[A-Z_]{1,40}$/.test(fault.errCode) ? fault.errCode : 'other';
      return new CityGraphError(ErrorCode.LEGACY_ERROR, `The parking platform refused the request (${platformCode}).`, { department, cause, details: { platformCode } });
    }
    case 'rateLimited':
      return new CityGraphError(ErrorCode.ADAPTER_RATE_LIMITED, `The parking platform is rate limiting; try again in ${fault.retryAfterSeconds} s.`, {
        department,
        details: { retryAfterSeconds: fault.retryAfterSeconds },
      });
    case 'rateLimitedTooLong':
      return new CityGraphError(
        ErrorCode.ADAPTER_RATE_LIMITED,
        `The parking platform asked to wait ${fault.retryAfterSeconds} s, longer than this request may take (${fault.budgetMs} ms); try again in ${fault.retryAfterSeconds} s.`,
        { department, details: { retryAfterSeconds: fault.retryAfterSeconds } },
      );
    case 'budget':
      return new CityGraphError(ErrorCode.ADAPTER_TIMEOUT, `The parking platform did not answer within this request's ${fault.budgetMs} ms.`, { department });
    case 'http':
      if ([502, 503, 504].includes(fault.status)) {
        return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, `The parking platform is unavailable (HTTP ${fault.status}).`, { department, details: { httpStatus: fault.status } });
      }
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The parking platform answered with HTTP status ${fault.status}.`, { department, details: { httpStatus: fault.status } });
    case 'notJson':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The parking platform answered with something that is not its JSON protocol.', { department, cause: fault.cause });
    case 'badShape':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The parking platform returned a reply with an invalid ${fault.field}.`, { department, cause: fault.cause, details: { field: fault.field } });
    case 'network':
      return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The parking platform could not be reached.', { department, cause: fault.cause });
  }
}
