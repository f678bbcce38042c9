/**
 * The one mapping from front-end database failures to CityGraph error codes. Messages are written for
 * clients: no SQL, no table contents, no file path or URL; the raw error stays in `cause` for the log.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name on every error of this adapter. */
export const DEPARTMENT = 'housingFund';

/** A failure at the database boundary, before it has a code. */
export type HousingFundFault =
  /** The fund holds a lock on its tables (an exchange run, maintenance): SQLITE_BUSY, lock_timeout. */
  | { kind: 'locked'; cause: unknown }
  /** The database cannot be opened or reached. */
  | { kind: 'unreachable'; cause: unknown }
  /** A row breaks the published table: text in an amount column, an unknown code, a missing value. */
  | { kind: 'badRow'; reason: string }
  /** The tables are not as published (a missing table or column). */
  | { kind: 'schema'; cause: unknown };

/** Classifies an error thrown by the SQL driver (node:sqlite, better-sqlite3 or pg). */
export function classifySqlError(e: unknown): HousingFundFault {
  const err = e as { code?: unknown; errcode?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  // SQLite: 5 BUSY, 6 LOCKED (node:sqlite puts them in errcode, better-sqlite3 in code).
  if (err?.errcode === 5 || err?.errcode === 6 || /^SQLITE_(BUSY|LOCKED)/.test(code) || /database is locked|database table is locked/.test(message)) {
    return { kind: 'locked', cause: e };
  }
  // PostgreSQL: lock_not_available, query_canceled (statement_timeout).
  if (code === '55P03' || code === '57014') return { kind: 'locked', cause: e };
  if (code === '42P01' || code === '42703' || /no such (table|column)/.test(message)) return { kind: 'schema', cause: e };
  return { kind: 'unreachable', cause: e };
}

/** Maps a fault to its error. */
export function housingFundFault(fault: HousingFundFault): CityGraphError {
  const department = DEPARTMENT;
  switch (fault.kind) {
    case 'locked':
      return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The housing fund\'s exchange tables are locked by the fund (an exchange run or maintenance); try again in a minute.', {
        department,
        details: { reason: 'locked' },
        cause: fault.cause,
      });
    case 'unreachable':
      return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The housing fund\'s exchange database could not be reached.', { department, cause: fault.cause });
    case 'badRow':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The housing fund\'s exchange tables hold a value outside their published format (e.g. text in an amount column); report it with the request id.', {
        department,
        cause: new Error(fault.reason),
      });
    case 'schema':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The housing fund\'s exchange tables are not as published (a table or column is missing).', { department, cause: fault.cause });
  }
}
