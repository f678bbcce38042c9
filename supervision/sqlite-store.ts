/**
 * The embedded supervision store: one SQLite file in WAL mode with `synchronous = FULL`, so a record
 * is on disk when its append returns, even if the process is killed the next instant. Appends are
 * `BEGIN IMMEDIATE` transactions, which also serialises several processes sharing the file.
 * Node's built-in `node:sqlite` holds the file: no native module to compile or to match an ABI.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { dirname } from 'node:path';
import type { HeadsSnapshot, StoreBackend } from './backend.ts';
import type { Checkpoint, PublicKeyEntry } from './checkpoint.ts';
import { COSIGNATURE_DDL, filterSql, HEADS_SQL, INDEX_DDL, indexMigration, RARE_OUTCOMES, RECORD_COLUMNS, recordFromArray, recordFromRow, storeDdl, type SqlFilter } from './columns.ts';
import { isHashAlgorithm, type HashAlgorithm } from './hashing.ts';
import type { GroupEntry } from './group.ts';
import { sqliteLeases, type LeaseBackend } from './leases.ts';
import { inTransaction, SqliteAppender, Statements } from './sqlite-append.ts';
import { hasSubjectIndex, indexedTo, SUBJECT_INDEX_DDL, subjectCondition } from './sqlite-subjects.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import type { ChainPosition, RecordDraft, SupervisionRecord } from './record.ts';

/** Options of the SQLite backend. */
export interface SqliteBackendOptions {
  /** Database file; its folder is created when missing. Required. */
  path: string;
  /** How long a write waits for another process's lock before failing, ms; default 5000. */
  busyTimeoutMs?: number;
  /** Open read-only (the verifier); default false. */
  readOnly?: boolean;
  /** Extra PRAGMAs run after the defaults, e.g. `query_only = ON`; default none. */
  pragmas?: readonly string[];
  /** Group commits in a writer thread of their own (sqlite-writer.ts), so no fsync holds the event loop; default true. */
  writerThread?: boolean;
}

const SCHEMA_VERSION = '1';
const COLUMNS = RECORD_COLUMNS.join(', ');
const DDL = `${storeDdl('INTEGER', 'deferred')}
${SUBJECT_INDEX_DDL}`;

/** Opens the SQLite backend (the file is created when missing, unless read-only). */
export function openSqliteBackend(options: SqliteBackendOptions): StoreBackend {
  if (!options.readOnly) mkdirSync(dirname(options.path), { recursive: true });
  else if (!existsSync(options.path)) throw new Error(`No supervision store at ${options.path}.`);
  const db = new DatabaseSync(options.path, { readOnly: options.readOnly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
  try {
    if (!options.readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so a returned append survives power loss too.
      db.exec('PRAGMA synchronous = FULL');
    }
    for (const p of options.pragmas ?? []) db.exec(`PRAGMA ${p}`);
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqliteBackend(db, options);
}

type Row = Record<string, unknown>;

/**
 * How a page and a count of `f` read the table: an `INDEXED BY` or `NOT INDEXED` clause, or '' for
 * SQLite's own choice. Chosen here rather than by SQLite's planner, which (with or without statistics)
 * took the chain index for department + kind and read every record of the department: about a second a
 * page or count on a store of 3 million records.
 * - A page needs its rows in seq order, and stops after a page of matches. An index ends in seq for
 *   equal keys (SQLite appends the rowid), so case, rare-outcome, and kind + department pages need no
 *   sort; a time range reads its index and sorts what it holds; other filters read the log in seq order.
 * - A count reads every match: through an index when the index alone answers it, the matches are few,
 *   or a time range bounds them; else the table straight (one pass, ≈ 1 s for 3 million records),
 *   since index entries that each need their row cost more (4.4 s for kind + actor role).
 */
export function readPaths(f: SqlFilter): { page: string; count: string } {
  const by = (index: string) => `INDEXED BY ${index}`;
  const set = new Set((Object.keys(f) as (keyof SqlFilter)[]).filter((k) => f[k] !== undefined));
  const only = (...keys: (keyof SqlFilter)[]) => [...set].every((k) => keys.includes(k));
  if (set.has('caseNumber')) return { page: by('supervision_records_case'), count: by('supervision_records_case') };
  if (f.outcome !== undefined && RARE_OUTCOMES.includes(f.outcome)) return { page: by('supervision_records_outcome'), count: by('supervision_records_outcome') };
  const timed = set.has('from') || set.has('to');
  const page = set.has('kind') && set.has('department') ? by('supervision_records_kind') : timed ? by('supervision_records_time') : 'NOT INDEXED';
  const count =
    set.has('kind') && only('kind', 'department', 'from', 'to') ? by('supervision_records_kind')
    : timed ? by('supervision_records_time')
    : set.has('department') && only('department') ? by('supervision_records_chain')
    : set.size === 0 ? ''
    : 'NOT INDEXED';
  return { page, count };
}

class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite' as const;
  private readonly statements: Statements;
  private readonly db: DatabaseSync;
  readonly leases: LeaseBackend;
  private readonly options: SqliteBackendOptions;
  /** Whether records are found by subject through `supervision_subjects` (else the old column index). */
  private subjectTable = false;
  /** Whether the store has INDEX_DDL's indexes (a read-only connection to an older store may not). */
  private filterIndexes = false;
  /** The store's hash algorithm, once `migrate` read it: the writer thread seals with it. */
  private hash: HashAlgorithm | null = null;
  /** Appends on this thread's connection (made on first use), and the writer thread (idem). */
  private appender: SqliteAppender | null = null;
  private writer: SqliteWriter | null = null;
  constructor(db: DatabaseSync, options: SqliteBackendOptions) {
    this.db = db;
    this.options = options;
    this.statements = new Statements(db);
    this.leases = sqliteLeases(db);
  }

  private sql(text: string): StatementSync {
    return this.statements.get(text);
  }

  /** Runs `fn` in one transaction (`IMMEDIATE` takes the write lock first); rolls back on any error. */
  private transaction<T>(mode: 'IMMEDIATE' | 'DEFERRED', fn: () => T): T {
    // Checkpoints and cosignatures take the file's write lock from the event loop: waited for in short
    // steps (beginImmediate), not SQLite's 1-2-5-10-ms sleeps, while the writer threads hold it.
    const timeout = this.options.busyTimeoutMs ?? 5000;
    return inTransaction(this.db, mode, fn, timeout === 0 ? undefined : { retryMs: timeout, connectionTimeoutMs: timeout });
  }

  async readHashAlgorithm(): Promise<HashAlgorithm | null> {
    const table = this.sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'supervision_meta'").get();
    if (!table) return null;
    const row = this.sql("SELECT value FROM supervision_meta WHERE key = 'hash_algorithm'").get() as { value: string } | undefined;
    return row && isHashAlgorithm(row.value) ? row.value : null;
  }

  async migrate(hash: HashAlgorithm | undefined): Promise<HashAlgorithm> {
    const stored = await this.readHashAlgorithm();
    // Only write when something is missing, so a read-only (query_only) connection can still open.
    if (stored) {
      // A store written before cosignatures existed gets their table; its records are untouched.
      if (!this.sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'supervision_cosignatures'").get()) this.db.exec(COSIGNATURE_DDL);
      // A store made before the deferred subject index gets it (filled from its records by catch-ups);
      // a read-only connection keeps reading by the old column index.
      if (!hasSubjectIndex(this.db) && !this.options.readOnly) {
        this.transaction('IMMEDIATE', () => {
          this.db.exec(SUBJECT_INDEX_DDL);
          this.db.exec('DROP INDEX IF EXISTS supervision_records_subject');
        });
      }
      // A store made before INDEX_DDL's indexes (or their conditions) gets them (≈ 2.5 s per million records, once; writers wait meanwhile).
      if (indexMigration(this.indexes()).length > 0 && !this.options.readOnly) {
        this.transaction('IMMEDIATE', () => {
          for (const statement of indexMigration(this.indexes())) this.db.exec(statement);
        });
      }
      await this.leases.migrate();
      this.opened(stored);
      return stored;
    }
    const chosen = hash ?? 'sm3';
    this.transaction('IMMEDIATE', () => {
      this.db.exec(DDL);
      this.db.prepare("INSERT OR IGNORE INTO supervision_meta (key, value) VALUES ('schema_version', ?), ('hash_algorithm', ?)").run(SCHEMA_VERSION, chosen);
    });
    await this.leases.migrate();
    const kept = (await this.readHashAlgorithm()) ?? chosen;
    this.opened(kept);
    return kept;
  }

  /** After `migrate`: what the store can do, and a catch-up of the subject index when records wait for it. */
  private opened(hash: HashAlgorithm): void {
    this.hash = hash;
    this.subjectTable = hasSubjectIndex(this.db);
    this.filterIndexes = this.hasFilterIndexes();
    if (this.options.readOnly || !this.subjectTable) return;
    const last = (this.sql('SELECT max(seq) AS m FROM supervision_records').get() as { m: number | null }).m ?? 0;
    if (indexedTo(this.db) < last) this.writeSide();
  }

  /** The writer thread when there is one, else this thread's appender (made on first use). */
  private writeSide(): SqliteWriter | SqliteAppender {
    if (this.options.writerThread !== false && this.hash) {
      if (!this.writer) {
        this.writer = new SqliteWriter({ path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs ?? 5000, hash: this.hash, pragmas: this.options.pragmas ?? [] });
        this.writer.start();
      }
      return this.writer;
    }
    return this.ownAppender();
  }


  /** This thread's appender; it indexes subjects only when no writer thread does. */
  private ownAppender(): SqliteAppender {
    return (this.appender ??= new SqliteAppender(this.db, { indexSubjects: this.options.writerThread === false }));
  }

  async append(
    draft: RecordDraft,
    seal: (p: ChainPosition) => SupervisionRecord,
    check?: (intent: SupervisionRecord | null, outcomes: SupervisionRecord[]) => void,
  ): Promise<SupervisionRecord> {
    return this.ownAppender().append(draft, seal, check);
  }

  async appendMany(entries: readonly GroupEntry[], seal: (d: RecordDraft, p: ChainPosition) => SupervisionRecord): Promise<(SupervisionRecord | Error)[]> {
    const side = this.writeSide();
    // The thread seals with `sealRecord` under the store's algorithm, as every caller's `seal` does;
    // a group with a `check` function (which cannot cross threads) is committed on this thread.
    if (side instanceof SqliteWriter && entries.every((e) => !e.check)) return side.appendMany(entries);
    return this.ownAppender().appendMany(entries, seal);
  }

  async chainHashes(department: string, afterDeptSeq: number, limit: number): Promise<string[]> {
    const rows = this.sql('SELECT hash FROM supervision_records WHERE department = ? AND dept_seq > ? ORDER BY dept_seq LIMIT ?').all(department, afterDeptSeq, limit) as { hash: string }[];
    return rows.map((r) => r.hash);
  }

  async get(seq: number): Promise<SupervisionRecord | null> {
    return this.getSync(seq);
  }

  private getSync(seq: number): SupervisionRecord | null {
    const row = this.sql('SELECT * FROM supervision_records WHERE seq = ?').get(seq) as Row | undefined;
    return row ? recordFromRow(row) : null;
  }

  async byDeptSeq(department: string, deptSeq: number): Promise<SupervisionRecord | null> {
    const row = this.sql('SELECT * FROM supervision_records WHERE department = ? AND dept_seq = ?').get(department, deptSeq) as Row | undefined;
    return row ? recordFromRow(row) : null;
  }

  async openIntents(): Promise<SupervisionRecord[]> {
    const rows = this.db
      .prepare(`SELECT * FROM supervision_records r WHERE r.kind = 'intent' AND r.outcome = 'PENDING'
                AND NOT EXISTS (SELECT 1 FROM supervision_records o WHERE o.intent_seq = r.seq) ORDER BY r.seq`)
      .all() as Row[];
    return rows.map(recordFromRow);
  }

  async query(filter: SqlFilter, afterSeq: number, limit: number, count: boolean): Promise<{ records: SupervisionRecord[]; total: number | null }> {
    if (filter.subjectHmac !== undefined && this.subjectTable) return this.queryBySubject(filter.subjectHmac, { ...filter, subjectHmac: undefined }, afterSeq, limit, count);
    const where = filterSql(filter, () => '?');
    const paths = this.filterIndexes ? readPaths(filter) : { page: '', count: '' };
    // One read transaction: the page and the count come from the same snapshot.
    return this.transaction('DEFERRED', () => {
      const rows = this.sql(`SELECT * FROM supervision_records ${paths.page} WHERE ${where.sql} AND seq > ? ORDER BY seq LIMIT ?`).all(...where.params, afterSeq, limit) as Row[];
      const total = count ? (this.sql(`SELECT count(*) AS n FROM supervision_records ${paths.count} WHERE ${where.sql}`).get(...where.params) as { n: number }).n : null;
      return { records: rows.map(recordFromRow), total };
    });
  }

  /** The record table's indexes by name, each with whether it has a condition (a partial index). */
  private indexes(): Map<string, boolean> {
    const rows = this.sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'supervision_records' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
    return new Map(rows.map((r) => [r.name, /\sWHERE\s/i.test(r.sql)]));
  }

  private hasFilterIndexes(): boolean {
    const present = this.indexes();
    return INDEX_DDL.every((i) => present.has(i.name));
  }

  /** `query` of one subject's records through the deferred subject index (sqlite-subjects.ts). */
  private queryBySubject(hmac: string, rest: SqlFilter, afterSeq: number, limit: number, count: boolean): { records: SupervisionRecord[]; total: number | null } {
    const where = filterSql(rest, () => '?');
    const page = subjectCondition(hmac, afterSeq);
    const all = subjectCondition(hmac, 0);
    return this.transaction('DEFERRED', () => {
      const rows = this.sql(`SELECT * FROM supervision_records WHERE ${page.sql} AND ${where.sql} AND seq > ? ORDER BY seq LIMIT ?`).all(...page.params, ...where.params, afterSeq, limit) as Row[];
      const total = count ? (this.sql(`SELECT count(*) AS n FROM supervision_records WHERE ${all.sql} AND ${where.sql}`).get(...all.params, ...where.params) as { n: number }).n : null;
      return { records: rows.map(recordFromRow), total };
    });
  }

  async scan(afterSeq: number, limit: number): Promise<SupervisionRecord[]> {
    // The verifier reads the whole log through this: rows as arrays, without an object per row.
    const stmt = this.sql(`SELECT ${COLUMNS} FROM supervision_records WHERE seq > ? ORDER BY seq LIMIT ?`);
    stmt.setReturnArrays(true); // this text is read only here
    return (stmt.all(afterSeq, limit) as unknown as unknown[][]).map(recordFromArray);
  }

  async scanLinks(afterSeq: number, limit: number): Promise<SupervisionRecord[]> {
    const stmt = this.sql('SELECT seq, dept_seq, department, kind, intent_seq, outcome, prev_hash, hash FROM supervision_records WHERE seq > ? ORDER BY seq LIMIT ?');
    stmt.setReturnArrays(true); // this text is read only here
    return (stmt.all(afterSeq, limit) as unknown as unknown[][]).map(linkRecord);
  }

  async heads(): Promise<HeadsSnapshot> {
    return this.headsSync();
  }

  private headsSync(): HeadsSnapshot {
    const rows = this.sql(HEADS_SQL).all() as { department: string; dept_seq: number; hash: string; seq: number }[];
    return {
      heads: rows.map((r) => ({ department: r.department, deptSeq: r.dept_seq, hash: r.hash })),
      totalSeq: rows.reduce((m, r) => Math.max(m, r.seq), 0),
    };
  }

  async addCheckpoint(make: (id: number, snapshot: HeadsSnapshot, previous: string | null) => Checkpoint): Promise<Checkpoint> {
    return this.transaction('IMMEDIATE', () => {
      const last = this.sql('SELECT id, body FROM supervision_checkpoints ORDER BY id DESC LIMIT 1').get() as { id: number; body: string } | undefined;
      const cp = make((last?.id ?? 0) + 1, this.headsSync(), last?.body ?? null);
      this.sql('INSERT INTO supervision_checkpoints (id, body) VALUES (?, ?)').run(cp.id, JSON.stringify(cp));
      return cp;
    });
  }

  async checkpointTexts(last?: number): Promise<string[]> {
    if (last === undefined) return (this.sql('SELECT body FROM supervision_checkpoints ORDER BY id').all() as { body: string }[]).map((r) => r.body);
    return (this.sql('SELECT body FROM supervision_checkpoints ORDER BY id DESC LIMIT ?').all(last) as { body: string }[]).map((r) => r.body).reverse();
  }

  async checkpointText(id: number): Promise<string | null> {
    return (this.sql('SELECT body FROM supervision_checkpoints WHERE id = ?').get(id) as { body: string } | undefined)?.body ?? null;
  }

  async saveCosignature(checkpointId: number, keyId: string, body: string): Promise<void> {
    this.sql('INSERT OR REPLACE INTO supervision_cosignatures (checkpoint_id, key_id, body) VALUES (?, ?, ?)').run(checkpointId, keyId, body);
  }

  async cosignatureTexts(checkpointId?: number): Promise<string[]> {
    const rows = (checkpointId === undefined
      ? this.sql('SELECT body FROM supervision_cosignatures ORDER BY checkpoint_id, key_id').all()
      : this.sql('SELECT body FROM supervision_cosignatures WHERE checkpoint_id = ? ORDER BY key_id').all(checkpointId)) as { body: string }[];
    return rows.map((r) => r.body);
  }

  async saveKey(key: PublicKeyEntry): Promise<void> {
    if (this.sql('SELECT 1 FROM supervision_keys WHERE key_id = ?').get(key.keyId)) return;
    this.sql('INSERT OR IGNORE INTO supervision_keys (key_id, algorithm, public_key_pem) VALUES (?, ?, ?)').run(key.keyId, key.algorithm, key.publicKeyPem);
  }

  async keys(): Promise<PublicKeyEntry[]> {
    const rows = this.sql('SELECT key_id, algorithm, public_key_pem FROM supervision_keys ORDER BY key_id').all() as { key_id: string; algorithm: string; public_key_pem: string }[];
    return rows.map((r) => ({ keyId: r.key_id, algorithm: r.algorithm as PublicKeyEntry['algorithm'], publicKeyPem: r.public_key_pem }));
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = null;
    this.appender?.stop();
    this.appender = null;
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}

const NO_ACTOR = Object.freeze({ role: '', department: null, client: null, sub: null, onBehalfOf: null });

/** A record with only its chain columns (see `scanLinks`). */
function linkRecord(v: unknown[]): SupervisionRecord {
  return {
    seq: v[0] as number, deptSeq: v[1] as number, department: v[2] as string, kind: v[3] as SupervisionRecord['kind'],
    intentSeq: v[4] as number | null, outcome: v[5] as SupervisionRecord['outcome'], prevHash: v[6] as string, hash: v[7] as string,
    time: '', actor: NO_ACTOR, operation: null, field: '', powerItem: null, subject: null, caseNumber: null, argsDigest: null, args: null,
    errorCode: null, requestId: null,
  };
}
