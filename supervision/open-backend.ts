/** Picks and opens the backend a location names: `postgres://…` → PostgreSQL, anything else → a SQLite file. */
import type { StoreBackend } from './backend.ts';
import { openPgBackend } from './pg-store.ts';
import { openSqliteBackend } from './sqlite-store.ts';

/** True when `location` is a PostgreSQL URL. */
export function isPgUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** Opens the backend at `location`; `readOnly` opens a SQLite file without creating or writing it. */
export function openBackend(location: string, options: { readOnly?: boolean; busyTimeoutMs?: number; lockTimeoutMs?: number; poolSize?: number; pragmas?: readonly string[] } = {}): StoreBackend {
  if (isPgUrl(location)) {
    return openPgBackend({ url: location, lockTimeoutMs: options.lockTimeoutMs, poolSize: options.poolSize });
  }
  return openSqliteBackend({ path: location, readOnly: options.readOnly, busyTimeoutMs: options.busyTimeoutMs, pragmas: options.pragmas });
}
