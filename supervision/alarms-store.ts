/**
 * Alarms kept beside the supervision log, in the same database (SQLite file or PostgreSQL schema) but in
 * tables of their own. An alarm has a unique key (kind, rule, what it is about): raising it again is a
 * no-op enforced by the database, so any number of engines in any number of processes raise it once.
 * The engine's cursor (last seq examined) and the cases it watches for deadlines live here too.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { badInput } from '../core/errors.ts';
import { RECORD_COLUMNS, recordFromRow } from './columns.ts';
import { isPgUrl } from './open-backend.ts';
import { parsePgUrl } from './pg-store.ts';
import type { RecordActor, SupervisionRecord } from './record.ts';

/** What an alarm is about. */
export type AlarmKind = 'TIMEOUT' | 'MATERIAL_RISK' | 'RULE' | 'OUTCOME_UNKNOWN';
/** How urgent it is. */
export type AlarmSeverity = 'WARNING' | 'CRITICAL';
/** Whether an auditor has dealt with it. */
export type AlarmStatus = 'OPEN' | 'ACKNOWLEDGED';

/** An alarm as a rule finds it, before it is stored. */
export interface AlarmDraft {
  /** Unique key: the same finding always has the same key, e.g. `TIMEOUT_OVERDUE:2026…`. */
  key: string;
  kind: AlarmKind;
  /** The rule that found it, e.g. `RULE_SELF_APPROVAL`. */
  rule: string;
  severity: AlarmSeverity;
  department: string | null;
  caseNumber: string | null;
  /** One sentence. */
  reason: string;
  /** Seqs of the evidence records, ascending. */
  evidence: number[];
}

/** A stored alarm. */
export interface Alarm extends AlarmDraft {
  id: number;
  raisedAt: string;
  status: AlarmStatus;
  acknowledgement: { time: string; actor: RecordActor; note: string } | null;
}

/** Filter of `list`; every member narrows. */
export interface AlarmFilter {
  kind?: AlarmKind;
  department?: string;
  status?: AlarmStatus;
  caseNumber?: string;
  /** Inclusive lower bound of raisedAt (ISO). */
  from?: string;
  /** Exclusive upper bound of raisedAt (ISO). */
  to?: string;
}

/** The alarm tables of one supervision database. */
export interface AlarmStore {
  /** Stores `draft` unless an alarm with its key exists; the new alarm, or null when it was raised before. */
  raise(draft: AlarmDraft, raisedAt: string): Promise<Alarm | null>;
  /** Alarms by ascending id after `afterId`, and how many match in all. */
  list(filter: AlarmFilter, first: number, afterId: number): Promise<{ alarms: Alarm[]; total: number; hasNextPage: boolean }>;
  /** One alarm by id. */
  get(id: number): Promise<Alarm | null>;
  /** Acknowledges an OPEN alarm; `missing` or `already` when it cannot. Atomic: of two auditors, one wins. */
  acknowledge(id: number, ack: { time: string; actor: RecordActor; note: string }): Promise<Alarm | 'missing' | 'already'>;
  /** The last seq the engine examined (0 at first). */
  cursor(): Promise<number>;
  /** Moves the cursor forward to `seq` (never back). */
  advanceCursor(seq: number): Promise<void>;
  /** Up to `limit` log records after `seq`, in seq order (read without counting, for the engine). */
  recordsAfter(seq: number, limit: number): Promise<SupervisionRecord[]>;
  /** Starts watching a case's deadline, with the records that show it was accepted (no-op when watched). */
  watch(caseNumber: string, evidence: number[]): Promise<void>;
  /** The watched cases. */
  watched(): Promise<Array<{ caseNumber: string; evidence: number[] }>>;
  /** Stops watching a case (decided, or gone). */
  unwatch(caseNumber: string): Promise<void>;
  /** Releases the database. Idempotent. */
  close(): Promise<void>;
}

/** The smallest SQL surface both databases offer: `?` placeholders, rows as objects. */
interface Sql {
  all(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs `fn` in one transaction. */
  tx<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const ddl = (serial: string) => [
  `CREATE TABLE IF NOT EXISTS supervision_alarms (
    id ${serial} PRIMARY KEY, alarm_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
    department TEXT, case_number TEXT, raised_at TEXT NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'OPEN', ack_time TEXT, ack_actor TEXT, ack_note TEXT)`,
  'CREATE INDEX IF NOT EXISTS supervision_alarms_case ON supervision_alarms (case_number)',
  'CREATE INDEX IF NOT EXISTS supervision_alarms_raised ON supervision_alarms (raised_at)',
  'CREATE TABLE IF NOT EXISTS supervision_alarm_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS supervision_alarm_watch (case_number TEXT PRIMARY KEY, evidence TEXT NOT NULL)',
];

/** Opens (and creates when missing) the alarm tables of the store at `location`: a `postgres://` URL or a SQLite file. */
export async function openAlarmStore(location: string, options: { busyTimeoutMs?: number } = {}): Promise<AlarmStore> {
  const sql = isPgUrl(location) ? pgSql(location) : sqliteSql(location, options.busyTimeoutMs ?? 5000);
  try {
    await sql.tx(async () => {
      // Two engines starting at once on PostgreSQL would race on CREATE TABLE; one lock serialises them.
      if (isPgUrl(location)) await sql.all("SELECT pg_advisory_xact_lock(hashtext('citygraph_supervision_alarms_ddl'))");
      for (const statement of ddl(isPgUrl(location) ? 'BIGSERIAL' : 'INTEGER')) await sql.all(statement);
    });
  } catch (e) {
    await sql.close();
    throw e;
  }
  return new SqlAlarmStore(sql);
}

class SqlAlarmStore implements AlarmStore {
  private readonly sql: Sql;
  constructor(sql: Sql) {
    this.sql = sql;
  }

  async raise(d: AlarmDraft, raisedAt: string): Promise<Alarm | null> {
    const rows = await this.sql.all(
      `INSERT INTO supervision_alarms (alarm_key, kind, rule, severity, department, case_number, raised_at, reason, evidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alarm_key) DO NOTHING RETURNING *`,
      [d.key, d.kind, d.rule, d.severity, d.department, d.caseNumber, raisedAt, d.reason, JSON.stringify(d.evidence)],
    );
    return rows[0] ? alarmOf(rows[0]) : null;
  }

  async list(filter: AlarmFilter, first: number, afterId: number) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      if (value === undefined || value === null) return;
      where.push(clause);
      params.push(value);
    };
    add('kind = ?', filter.kind);
    add('department = ?', filter.department);
    add('status = ?', filter.status);
    add('case_number = ?', filter.caseNumber);
    add('raised_at >= ?', filter.from);
    add('raised_at < ?', filter.to);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = await this.sql.all(`SELECT COUNT(*) AS n FROM supervision_alarms ${cond}`, params);
    const rows = await this.sql.all(`SELECT * FROM supervision_alarms ${cond ? `${cond} AND` : 'WHERE'} id > ? ORDER BY id LIMIT ?`, [...params, afterId, first + 1]);
    return { alarms: rows.slice(0, first).map(alarmOf), total: Number(count?.n ?? 0), hasNextPage: rows.length > first };
  }

  async get(id: number): Promise<Alarm | null> {
    const [row] = await this.sql.all('SELECT * FROM supervision_alarms WHERE id = ?', [id]);
    return row ? alarmOf(row) : null;
  }

  async acknowledge(id: number, ack: { time: string; actor: RecordActor; note: string }): Promise<Alarm | 'missing' | 'already'> {
    const [row] = await this.sql.all(
      `UPDATE supervision_alarms SET status = 'ACKNOWLEDGED', ack_time = ?, ack_actor = ?, ack_note = ? WHERE id = ? AND status = 'OPEN' RETURNING *`,
      [ack.time, JSON.stringify(ack.actor), ack.note, id],
    );
    if (row) return alarmOf(row);
    return (await this.get(id)) ? 'already' : 'missing';
  }

  async cursor(): Promise<number> {
    const [row] = await this.sql.all("SELECT value FROM supervision_alarm_state WHERE name = 'cursor'");
    return row ? Number(row.value) : 0;
  }

  async advanceCursor(seq: number): Promise<void> {
    await this.sql.all(
      `INSERT INTO supervision_alarm_state (name, value) VALUES ('cursor', ?) ON CONFLICT (name)
       DO UPDATE SET value = CASE WHEN excluded.value > supervision_alarm_state.value THEN excluded.value ELSE supervision_alarm_state.value END`,
      [seq],
    );
  }

  async recordsAfter(seq: number, limit: number): Promise<SupervisionRecord[]> {
    const rows = await this.sql.all(`SELECT ${RECORD_COLUMNS.join(', ')} FROM supervision_records WHERE seq > ? ORDER BY seq LIMIT ?`, [seq, limit]);
    return rows.map(recordFromRow);
  }

  async watch(caseNumber: string, evidence: number[]): Promise<void> {
    await this.sql.all('INSERT INTO supervision_alarm_watch (case_number, evidence) VALUES (?, ?) ON CONFLICT (case_number) DO NOTHING', [caseNumber, JSON.stringify(evidence)]);
  }

  async watched() {
    const rows = await this.sql.all('SELECT case_number, evidence FROM supervision_alarm_watch ORDER BY case_number');
    return rows.map((r) => ({ caseNumber: String(r.case_number), evidence: JSON.parse(String(r.evidence)) as number[] }));
  }

  async unwatch(caseNumber: string): Promise<void> {
    await this.sql.all('DELETE FROM supervision_alarm_watch WHERE case_number = ?', [caseNumber]);
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}

function alarmOf(r: Record<string, unknown>): Alarm {
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    id: Number(r.id),
    key: String(r.alarm_key),
    kind: String(r.kind) as AlarmKind,
    rule: String(r.rule),
    severity: String(r.severity) as AlarmSeverity,
    department: s('department'),
    caseNumber: s('case_number'),
    raisedAt: String(r.raised_at),
    reason: String(r.reason),
    evidence: JSON.parse(String(r.evidence)) as number[],
    status: String(r.status) as AlarmStatus,
    acknowledgement: r.ack_time ? { time: String(r.ack_time), actor: JSON.parse(String(r.ack_actor)) as RecordActor, note: String(r.ack_note) } : null,
  };
}

function sqliteSql(path: string, busyTimeoutMs: number): Sql {
  const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  let closed = false;
  return {
    all: async (text, params = []) => db.prepare(text).all(...(params as never[])) as Record<string, unknown>[],
    async tx(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn();
        db.exec('COMMIT');
        return out;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    async close() {
      if (!closed) db.close();
      closed = true;
    },
  };
}

function pgSql(url: string): Sql {
  const { connectionString, options } = parsePgUrl(url);
  const pool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000, statement_timeout: 15000, ...(options ? { options } : {}) });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  let client: pg.PoolClient | null = null;
  let closed = false;
  const numbered = (text: string) => {
    let i = 0;
    return text.replace(/\?/g, () => `$${++i}`);
  };
  return {
    async all(text, params = []) {
      const runner = client ?? pool;
      return (await runner.query(numbered(text), params)).rows as Record<string, unknown>[];
    },
    async tx(fn) {
      client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn();
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
        client = null;
      }
    },
    async close() {
      if (!closed) await pool.end();
      closed = true;
    },
  };
}

/** Encodes an alarm id as an opaque page cursor. */
export function encodeAlarmCursor(id: number): string {
  return Buffer.from(`alarm:${id}`).toString('base64url');
}

/** Decodes a cursor of `encodeAlarmCursor`; BAD_USER_INPUT for anything else. */
export function decodeAlarmCursor(cursor: string): number {
  const m = /^alarm:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badInput('The cursor is not one the alarm list issued.', 'alarms.cursor');
  return Number(m[1]);
}
