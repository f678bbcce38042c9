/**
 * The tiny SQL layer of the front-end exchange database (前置库): one interface, two engines. The fund
 * publishes its tables in a SQLite file (the embedded default) or in PostgreSQL; the adapter's SQL is
 * written once, with `?` placeholders, and runs unchanged on both. Rows come back with upper-case keys
 * because PostgreSQL folds unquoted identifiers to lower case and SQLite keeps them as written.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import pg from 'pg';

/** A value bound to a placeholder: the fund's tables hold text (amounts too) and a few integers. */
export type SqlValue = string | number | null;
/** One row, keys upper case (`GRZH`, `XINGMING`). */
export type SqlRow = Record<string, unknown>;

/** Statements on one connection (or inside one transaction). */
export interface SqlSession {
  /** Runs a query and returns its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/** The front-end database as the adapter and the stand-in see it. */
export interface FrontDb extends SqlSession {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction (SQLite: `BEGIN IMMEDIATE`), committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Runs DDL or several statements without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Options of a SQLite front-end database. */
export interface SqliteOptions {
  /** Milliseconds a statement waits for a lock held by another process before SQLITE_BUSY. Default 200. */
  busyTimeoutMs?: number;
  /** Further database files attached under a schema name, each with its own `synchronous` level. Default none. */
  attach?: ReadonlyArray<{ schema: string; file: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' }>;
}

/** Options of a PostgreSQL front-end database. */
export interface PostgresOptions {
  /** Schema holding the fund's tables (`search_path`); default the URL's `?schema=`, else `public`. */
  schema?: string;
  /** Milliseconds a statement waits for a lock before it fails (`lock_timeout`). Default 1000. */
  lockTimeoutMs?: number;
  /** Milliseconds before a statement is cancelled (`statement_timeout`). Default 5000. */
  statementTimeoutMs?: number;
  /** Connections in the pool. Default 4. */
  max?: number;
}

/** Opens the database a location names: `postgres://…` or a SQLite file path. */
export function openFrontDb(location: string, options: SqliteOptions & PostgresOptions = {}): Promise<FrontDb> {
  // The attachments name SQLite files; they mean nothing to PostgreSQL.
  if (typeof location !== 'string' || location === '') throw new TypeError('openFrontDb needs a SQLite file path or a postgres:// URL.');
  return /^postgres(ql)?:\/\//.test(location) ? openPostgresFrontDb(location, options) : openSqliteFrontDb(location, options);
}

/**
 * Opens a SQLite file with Node's built-in `node:sqlite`. Its calls are synchronous, so the busy timeout
 * is kept short: while a statement waits for the fund's lock, the whole process waits.
 */
export async function openSqliteFrontDb(path: string, options: SqliteOptions = {}): Promise<FrontDb> {
  const busy = options.busyTimeoutMs ?? 200;
  if (!Number.isInteger(busy) || busy < 0) throw new TypeError(`openSqliteFrontDb: busyTimeoutMs must be a whole number of ms, got ${String(busy)}.`);
  const conn = new DatabaseSync(path, { timeout: busy });
  for (const a of options.attach ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,30}$/.test(a.schema)) throw new TypeError('openSqliteFrontDb: an attached schema name must be a plain identifier.');
    conn.prepare(`ATTACH DATABASE ? AS ${a.schema}`).run(a.file);
    conn.exec(`PRAGMA ${a.schema}.synchronous = ${a.synchronous === 'OFF' ? 'OFF' : a.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  }
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = conn.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const session: SqlSession = {
    all: async (sql, params = []) => prepare(sql).all(...params).map((r) => upperKeys(r as SqlRow)),
    run: async (sql, params = []) => ({ changes: Number(prepare(sql).run(...params).changes) }),
  };
  // One connection: while a transaction is open nothing else may use it, or it would join the transaction.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    dialect: 'sqlite',
    all: (sql, params) => serial(() => session.all(sql, params)),
    run: (sql, params) => serial(() => session.run(sql, params)),
    exec: (sql) => serial(async () => conn.exec(sql)),
    transaction: (fn) =>
      serial(async () => {
        conn.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(session);
          conn.exec('COMMIT');
          return result;
        } catch (e) {
          try {
            conn.exec('ROLLBACK');
          } catch {
            // BEGIN itself failed (busy): there is nothing to roll back.
          }
          throw e;
        }
      }),
    close: () => serial(async () => conn.close()),
  };
}

/** Opens a pool on PostgreSQL; `?` placeholders become `$1…`, the schema is the search path. */
export async function openPostgresFrontDb(url: string, options: PostgresOptions = {}): Promise<FrontDb> {
  const u = new URL(url);
  const schema = options.schema ?? u.searchParams.get('schema') ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new TypeError('openPostgresFrontDb: schema must be a plain SQL identifier.');
  u.searchParams.delete('schema');
  const lockTimeout = options.lockTimeoutMs ?? 1000;
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  // Set at connection start-up, so every pooled connection has them before its first statement.
  const settings = `-c search_path=${schema} -c lock_timeout=${Number(lockTimeout)} -c statement_timeout=${Number(statementTimeout)}`;
  const pool = new pg.Pool({ connectionString: u.toString(), max: options.max ?? 4, options: settings });
  pool.on('error', () => {
    // An idle connection dropped by the server: the next statement gets a new one.
  });
  const on = (q: pg.Pool | pg.PoolClient): SqlSession => ({
    all: async (sql, params = []) => (await q.query(numbered(sql), [...params])).rows.map(upperKeys),
    run: async (sql, params = []) => ({ changes: (await q.query(numbered(sql), [...params])).rowCount ?? 0 }),
  });
  const pooled = on(pool);
  return {
    dialect: 'postgres',
    ...pooled,
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `?` → `$1`, `$2`…; the adapter's SQL has no `?` inside string literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function upperKeys(row: SqlRow): SqlRow {
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row)) out[k.toUpperCase()] = v;
  return out;
}
