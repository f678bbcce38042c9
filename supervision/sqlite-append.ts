/**
 * The SQLite store's write path, on one connection: group commits (`BEGIN IMMEDIATE` … `COMMIT`, WAL,
 * `synchronous = FULL`) and the catch-ups of the deferred subject index (sqlite-subjects.ts). The same
 * code runs on a subgraph's main thread or in its writer thread (sqlite-writer.ts), whichever holds
 * the connection.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { INSERT_COLUMNS, recordFromRow, recordValues } from './columns.ts';
import { placeGroup, type GroupEntry } from './group.ts';
import { GENESIS_HASH } from './hashing.ts';
import type { ChainPosition, RecordDraft, SupervisionRecord } from './record.ts';
import { hasSubjectIndex, indexSubjectsBatch } from './sqlite-subjects.ts';

const INSERT_ROW = `INSERT INTO supervision_records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`;
/** Records appended but not yet in the subject index before a catch-up starts at once (else the timer's next tick). */
const SUBJECT_LAG = 2_000;
/** How often a catch-up of the subject index runs while records wait for it, ms. */
const SUBJECT_EVERY_MS = 1_000;

type Row = Record<string, unknown>;

/** How a connection waits for the write lock in beginImmediate: for how long, and its own busy timeout (0 when it has none). */
export interface LockWait {
  retryMs: number;
  connectionTimeoutMs?: number;
}

/**
 * Runs `fn` in one transaction on `db` (`IMMEDIATE` takes the write lock first); rolls back on any error.
 * With `wait`, `IMMEDIATE` waits for the write lock in beginImmediate instead of SQLite's busy handler.
 */
export function inTransaction<T>(db: DatabaseSync, mode: 'IMMEDIATE' | 'DEFERRED', fn: () => T, wait?: LockWait): T {
  if (mode === 'IMMEDIATE' && wait) beginImmediate(db, wait.retryMs, wait.connectionTimeoutMs);
  else db.exec(`BEGIN ${mode}`);
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/** First and longest pause between two tries for the write lock, ms. */
const FIRST_PAUSE_MS = 0.05;
const LONGEST_PAUSE_MS = 0.5;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * `BEGIN IMMEDIATE`, trying again every 0.05 → 0.5 ms while another process holds the write lock, for up
 * to `timeoutMs`; then SQLITE_BUSY as before. Every subgraph of a city writes the same SQLite file, and
 * SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, … ms between tries: four writers of
 * single-record commits waited 3.5–4.9 ms on average for the lock that way, 80–104 ms at the 99th
 * percentile, against 1.9–2.2 and 15–21 ms retrying this often (a throwaway test of four threads,
 * 400 commits each). The pause is Atomics.wait, which burns no CPU; on a subgraph's main thread it
 * blocks the event loop as SQLite's sleep did, only for as long as the lock is really held.
 */
export function beginImmediate(db: DatabaseSync, timeoutMs: number, connectionTimeoutMs = 0): void {
  // A connection that keeps SQLite's busy handler for its other statements (the store's main one) lends
  // it for these tries, so each fails at once instead of sleeping in SQLite.
  if (connectionTimeoutMs !== 0) db.exec('PRAGMA busy_timeout = 0');
  try {
    retryImmediate(db, performance.now() + timeoutMs);
  } finally {
    if (connectionTimeoutMs !== 0) db.exec(`PRAGMA busy_timeout = ${connectionTimeoutMs}`);
  }
}

/** True for SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, …). */
const isBusy = (e: unknown) => ((e as { errcode?: number }).errcode ?? 0) % 256 === SQLITE_BUSY;

function retryImmediate(db: DatabaseSync, until: number): void {
  for (let wait = FIRST_PAUSE_MS; ; wait = Math.min(LONGEST_PAUSE_MS, wait * 2)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      if (!isBusy(e) || performance.now() >= until) throw e;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}

/** SQLite's primary result code for a lock held by another connection. */
const SQLITE_BUSY = 5;

/** Prepared statements of one connection, each compiled on first use. */
export class Statements {
  private readonly cache = new Map<string, StatementSync>();
  private readonly db: DatabaseSync;
  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The statement of `text`, compiled once. */
  get(text: string): StatementSync {
    let stmt = this.cache.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.cache.set(text, stmt);
    }
    return stmt;
  }

  /** Forgets every statement (before the connection closes). */
  clear(): void {
    this.cache.clear();
  }
}

/** Appends to one SQLite connection and, unless told not to, keeps the subject index current. */
export class SqliteAppender {
  private readonly statements: Statements;
  private readonly db: DatabaseSync;
  /** Highest seq this connection appended, and the watermark it last saw: the subject index's lag. */
  private appendedTo = 0;
  private indexedTo = 0;
  /** Until a catch-up finds nothing left: records of other processes (or of one that died) wait too. */
  private catchUpAll = true;
  private indexing = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout | null;

  /** Ms to wait for the write lock in beginImmediate; undefined leaves waiting to SQLite's busy handler. */
  private readonly busyRetryMs: number | undefined;

  /**
   * `indexSubjects: false` when another connection of the process (its writer thread) runs the catch-ups;
   * default true. `busyRetryMs`: the connection's busy timeout is 0 and transactions wait for the lock
   * this long by beginImmediate.
   */
  constructor(db: DatabaseSync, options: { indexSubjects?: boolean; busyRetryMs?: number } = {}) {
    this.db = db;
    this.busyRetryMs = options.busyRetryMs;
    this.statements = new Statements(db);
    this.timer = options.indexSubjects !== false && hasSubjectIndex(db)
      ? setInterval(() => {
        if (this.catchUpAll || this.appendedTo > this.indexedTo) this.indexSubjects();
      }, SUBJECT_EVERY_MS)
      : null;
    this.timer?.unref();
    // An old store's records, or those of a process that died before its catch-up, are indexed at once.
    if (this.timer) setImmediate(() => this.indexSubjects());
  }

  private sql(text: string): StatementSync {
    return this.statements.get(text);
  }

  /** `fn` in one `BEGIN IMMEDIATE` transaction, waiting for the lock as the constructor was told. */
  private writeTransaction<T>(fn: () => T): T {
    return inTransaction(this.db, 'IMMEDIATE', fn, this.busyRetryMs === undefined ? undefined : { retryMs: this.busyRetryMs });
  }

  private getSync(seq: number): SupervisionRecord | null {
    const row = this.sql('SELECT * FROM supervision_records WHERE seq = ?').get(seq) as Row | undefined;
    return row ? recordFromRow(row) : null;
  }

  /** One record in one transaction (see StoreBackend.append). */
  append(draft: RecordDraft, seal: (p: ChainPosition) => SupervisionRecord, check?: (intent: SupervisionRecord | null, outcomes: SupervisionRecord[]) => void): SupervisionRecord {
    const insert = this.sql(INSERT_ROW);
    return this.writeTransaction(() => {
      if (check && draft.intentSeq !== null) {
        const outcomes = (this.sql('SELECT * FROM supervision_records WHERE intent_seq = ? ORDER BY seq').all(draft.intentSeq) as Row[]).map(recordFromRow);
        check(this.getSync(draft.intentSeq), outcomes);
      }
      const last = this.sql('SELECT max(seq) AS seq FROM supervision_records').get() as { seq: number | null };
      const head = this.sql('SELECT dept_seq, hash FROM supervision_records WHERE department = ? ORDER BY dept_seq DESC LIMIT 1').get(draft.department) as { dept_seq: number; hash: string } | undefined;
      const record = seal({ seq: (last.seq ?? 0) + 1, deptSeq: (head?.dept_seq ?? 0) + 1, time: new Date().toISOString(), prevHash: head?.hash ?? GENESIS_HASH });
      insert.run(...recordValues(record), null);
      this.noteAppended(record.seq);
      return record;
    });
  }

  /** A group commit (see StoreBackend.appendMany); durable on return. */
  appendMany(entries: readonly GroupEntry[], seal: (d: RecordDraft, p: ChainPosition) => SupervisionRecord): (SupervisionRecord | Error)[] {
    const insert = this.sql(INSERT_ROW);
    const headOf = this.sql('SELECT dept_seq, hash FROM supervision_records WHERE department = ? ORDER BY dept_seq DESC LIMIT 1');
    const outcomesOf = this.sql('SELECT * FROM supervision_records WHERE intent_seq = ? ORDER BY seq');
    return this.writeTransaction(() => {
      const last = this.sql('SELECT max(seq) AS seq FROM supervision_records').get() as { seq: number | null };
      const { results, records, owners } = placeGroup(entries, {
        lastSeq: last.seq ?? 0,
        headOf: (d) => {
          const row = headOf.get(d) as { dept_seq: number; hash: string } | undefined;
          return row ? { deptSeq: row.dept_seq, hash: row.hash } : null;
        },
        recordAt: (seq) => this.getSync(seq),
        outcomesOf: (seq) => (outcomesOf.all(seq) as Row[]).map(recordFromRow),
      }, seal);
      // One prepared single-row INSERT per record: measured cheaper than multi-row INSERTs of 100 rows
      // (8.9 against 11.5 µs a row with the store's indexes: no 2,800-value argument list to build and bind).
      for (let i = 0; i < records.length; i++) insert.run(...recordValues(records[i]!), owners[i] ?? null);
      if (records.length > 0) this.noteAppended(records[records.length - 1]!.seq);
      return results;
    });
  }

  /** Records up to `seq` exist: a catch-up of the subject index starts once enough wait for it. */
  private noteAppended(seq: number): void {
    this.appendedTo = Math.max(this.appendedTo, seq);
    if (this.timer && !this.indexing && this.appendedTo - this.indexedTo >= SUBJECT_LAG) setImmediate(() => this.indexSubjects());
  }

  /**
   * Adds waiting records to the subject index, a batch per transaction, one batch per turn of the
   * event loop so appends keep moving between batches. A failure (e.g. the file locked by another
   * process) is left for the next tick: nothing depends on the index being current, since queries
   * scan the records after its watermark.
   */
  private indexSubjects(): void {
    if (this.indexing || !this.timer || this.stopped) return;
    this.indexing = true;
    const step = () => {
      try {
        if (this.stopped || !this.db.isOpen) return void (this.indexing = false);
        const before = this.indexedTo;
        this.indexedTo = this.writeTransaction(() => indexSubjectsBatch(this.db));
        if (this.indexedTo > before && (this.catchUpAll || this.indexedTo < this.appendedTo)) return void setImmediate(step);
        if (this.indexedTo === before) this.catchUpAll = false;
      } catch {
        // Busy or closing: the timer tries again.
      }
      this.indexing = false;
    };
    step();
  }

  /** Stops the catch-ups (the connection is the caller's to close). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.statements.clear();
  }
}
