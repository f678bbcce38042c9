/**
 * The fund's front-end exchange protocol: the statements the adapter runs on the published tables, and
 * the exchange log (SJJH_RZ) in which every consumer of the front-end database writes down each statement
 * it ran (its text, never its parameters, which hold personal data), so the fund can see who read what.
 */
import { openFrontDb, type FrontDb, type PostgresOptions, type SqlRow, type SqlSession, type SqlValue } from './sql.ts';
import { ACCOUNT_COLUMNS, WITHDRAWAL_COLUMNS } from './mapper.ts';

/** Most keys in one `IN (…)` list; larger batches are split. */
export const MAX_KEYS_PER_STATEMENT = 100;

/** The exchange log table every consumer appends to. */
export const EXCHANGE_LOG_TABLE = 'SJJH_RZ';

const A = ACCOUNT_COLUMNS.map((c) => `a.${c}`).join(', ');
const W = WITHDRAWAL_COLUMNS.map((c) => `w.${c}`).join(', ');

/** Schema name under which a SQLite consumer attaches the fund's exchange log file. */
export const EXCHANGE_LOG_SCHEMA = 'jhrz';

/**
 * Where the fund publishes its exchange log in a SQLite deployment: a file of its own beside the
 * tables, so a log row (one per statement, reads included) never costs an fsync of the tables' file.
 */
export function exchangeLogFile(database: string): string {
  return `${database}-jhrz`;
}

/**
 * Opens the fund's database as a consumer does. On SQLite the exchange log file is attached without
 * fsync (`synchronous = OFF` for that file only): a power cut may lose the last log rows, never a
 * withdrawal, whose file keeps full durability. On PostgreSQL the log is a table of the fund's schema.
 */
export function openFundDatabase(location: string, options: { busyTimeoutMs?: number } & PostgresOptions = {}): Promise<FrontDb> {
  if (/^postgres(ql)?:\/\//.test(location)) return openFrontDb(location, options);
  return openFrontDb(location, { ...options, attach: [{ schema: EXCHANGE_LOG_SCHEMA, file: exchangeLogFile(location), synchronous: 'OFF' }] });
}

/** Writes statements to the exchange log in one insert; the log is the fund's business, so a failure never fails ours. */
async function writeLog(s: SqlSession, consumer: string, statements: readonly string[]): Promise<void> {
  if (statements.length === 0) return;
  const at = new Date().toISOString();
  const values: SqlValue[] = [];
  for (const sql of statements) values.push(at, consumer, /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'OTHER', sql.slice(0, 2000));
  await s.run(`INSERT INTO ${EXCHANGE_LOG_TABLE} (JHSJ, JHF, YJLX, YJ) VALUES ${statements.map(() => '(?, ?, ?, ?)').join(', ')}`, values).catch(() => undefined);
}

/** A session whose every statement is written to the exchange log after it ran (its text, never its parameters). */
export function logged(session: SqlSession, consumer: string, enabled: boolean): SqlSession {
  if (!enabled) return session;
  return {
    async all(sql, params) {
      const rows = await session.all(sql, params);
      await writeLog(session, consumer, [sql]);
      return rows;
    },
    async run(sql, params) {
      const result = await session.run(sql, params);
      await writeLog(session, consumer, [sql]);
      return result;
    },
  };
}

/**
 * Runs `fn` in a transaction and logs its statements once it is over (committed or rolled back), so the
 * log is never part of the business transaction: it neither widens its locks nor shares its fate.
 */
export async function loggedTransaction<T>(db: FrontDb, consumer: string, enabled: boolean, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
  const ran: string[] = [];
  try {
    return await db.transaction((tx) => fn(enabled ? {
      all: (sql, params) => (ran.push(sql), tx.all(sql, params)),
      run: (sql, params) => (ran.push(sql), tx.run(sql, params)),
    } : tx));
  } finally {
    if (enabled) await writeLog(db, consumer, ran);
  }
}

/** Accounts of several people with their withdrawals: one statement, one `IN (…)` list. */
export function selectAccounts(s: SqlSession, ids: readonly string[]): Promise<SqlRow[]> {
  const marks = ids.map(() => '?').join(', ');
  return s.all(
    `SELECT ${A}, w.SQBH AS W_SQBH, w.TQYY AS W_TQYY, w.FSE AS W_FSE, w.YWZT AS W_YWZT, w.SQSJ AS W_SQSJ, w.SHYJ AS W_SHYJ `
      + `FROM GRZHXX a LEFT JOIN GRTQSQ w ON w.GRZH = a.GRZH WHERE a.ZJHM IN (${marks}) ORDER BY a.ZJHM, a.GRZH, w.SQSJ DESC, w.SQBH DESC`,
    ids as SqlValue[],
  );
}

/** One person's accounts, inside a transaction. */
export function selectAccountsOf(s: SqlSession, id: string): Promise<SqlRow[]> {
  return s.all(`SELECT ${A} FROM GRZHXX a WHERE a.ZJHM = ?`, [id]);
}

/** Sum of the amounts of an account's requests still open (new, under review, awaiting payment). */
export function selectOpenAmounts(s: SqlSession, accountNo: string): Promise<SqlRow[]> {
  return s.all(`SELECT w.FSE FROM GRTQSQ w WHERE w.GRZH = ? AND w.YWZT IN ('01', '02', '03')`, [accountNo]);
}

/** The request a consumer filed under its own serial number (the idempotency key). */
export function selectByExternalSerial(s: SqlSession, id: string, serial: string): Promise<SqlRow[]> {
  return s.all(`SELECT ${W}, w.GRZH, w.GRCKZHHM, w.HUMING, w.GRCKZHKHYHMC, w.ZMWJBH FROM GRTQSQ w WHERE w.ZJHM = ? AND w.WBLSH = ?`, [id, serial]);
}

/** One request by its number. */
export function selectRequest(s: SqlSession, requestNo: string): Promise<SqlRow[]> {
  return s.all(`SELECT ${W} FROM GRTQSQ w WHERE w.SQBH = ?`, [requestNo]);
}

/** The request row as the fund's table names it. */
export interface RequestRow {
  SQBH: string; GRZH: string; ZJHM: string; TQYY: string; TQFS: string; YWMXLX: string; FSE: string;
  GRCKZHHM: string; HuMing: string; GRCKZHKHYHMC: string; ZMWJBH: string | null; YWZT: string; SQSJ: string; WBLSH: string;
}

/**
 * Inserts a request unless one with the same consumer serial exists: the unique constraint
 * (ZJHM, WBLSH) decides between concurrent duplicates, in SQLite and PostgreSQL alike.
 */
export function insertRequest(s: SqlSession, r: RequestRow): Promise<{ changes: number }> {
  const columns = Object.keys(r);
  return s.run(
    `INSERT INTO GRTQSQ (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (ZJHM, WBLSH) DO NOTHING`,
    Object.values(r) as SqlValue[],
  );
}

/** Moves a request under review on; changes nothing when it is no longer under review. */
export function updateReview(s: SqlSession, requestNo: string, status: string, reviewer: string, at: string, note: string | null): Promise<{ changes: number }> {
  return s.run(`UPDATE GRTQSQ SET YWZT = ?, SHR = ?, SHSJ = ?, SHYJ = ? WHERE SQBH = ? AND YWZT = '02'`, [status, reviewer, at, note, requestNo]);
}

