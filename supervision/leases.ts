/**
 * Instance leases: several instances of one department write to one store, and each owns the intents
 * it wrote. An instance holds a lease row it renews (a heartbeat); its intents carry its id in the
 * `instance_id` column, which is NOT part of a record's hashed content (ownership is how recovery finds
 * its work, not evidence). Recovery marks OUTCOME_UNKNOWN only the open intents of instances whose lease
 * has expired (or that have no lease at all): a live instance's changes in flight are never touched.
 * On PostgreSQL the database's clock decides expiry, so instances on hosts with skewed clocks agree.
 */
import type { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import { recordFromRow } from './columns.ts';
import type { SupervisionRecord } from './record.ts';

/** One instance's lease as stored. */
export interface Lease {
  /** The instance id, e.g. `population-1` or a Kubernetes pod name. */
  instanceId: string;
  /** The department it serves. */
  department: string;
  /** Random per process: tells two processes using one id apart. */
  incarnation: string;
  /** When the lease runs out unless renewed, ms since the epoch (the database's clock on PostgreSQL). */
  expiresAt: number;
  /** True when it has not run out yet. */
  live: boolean;
}

/** What the store needs of a database for leases; both backends implement it here. */
export interface LeaseBackend {
  /** Adds the lease table, the `instance_id` column and the open-intent index when missing (writes nothing otherwise). */
  migrate(): Promise<void>;
  /** Takes or renews `instanceId`'s lease for `ttlMs`; returns the row as it was before (null when new). */
  renew(instanceId: string, department: string, incarnation: string, ttlMs: number): Promise<Lease | null>;
  /** Ends the lease now, if `incarnation` still holds it (a clean stop). */
  release(instanceId: string, incarnation: string): Promise<void>;
  /**
   * Open intents (no outcome record) that no live instance owns: those of instances whose lease has
   * expired or was never taken, and those without an owner sealed at or before `unownedCutoff` (ISO;
   * written before leases existed). Intents of `self` are excluded, or with `includeSelf` all taken, live
   * lease or not (a process starting under an id: none of its own can exist yet). Oldest first.
   */
  orphanedIntents(self: string, unownedCutoff: string, includeSelf?: boolean): Promise<SupervisionRecord[]>;
  /** Every lease, by instance id. */
  list(): Promise<Lease[]>;
}

const LEASE_DDL = `CREATE TABLE IF NOT EXISTS supervision_leases (
  instance_id TEXT PRIMARY KEY, department TEXT NOT NULL, incarnation TEXT NOT NULL, expires_at BIGINT NOT NULL
)`;
// Every intent keeps outcome PENDING for ever (records never change), so this indexes all intents, not access records.
const PENDING_INDEX = "CREATE INDEX IF NOT EXISTS supervision_records_pending ON supervision_records (seq) WHERE kind = 'intent' AND outcome = 'PENDING'";

/** The open-intent query both dialects share; `now` is the expression of the current time in ms. */
function orphanSql(now: string, p: (i: number) => string): string {
  return `SELECT r.* FROM supervision_records r
    WHERE r.kind = 'intent' AND r.outcome = 'PENDING'
      AND NOT EXISTS (SELECT 1 FROM supervision_records o WHERE o.intent_seq = r.seq)
      AND ((r.instance_id IS NULL AND r.time <= ${p(1)})
        OR (r.instance_id = ${p(2)} AND ${p(3)} = 1)
        OR (r.instance_id <> ${p(2)} AND NOT EXISTS (SELECT 1 FROM supervision_leases l WHERE l.instance_id = r.instance_id AND l.expires_at > ${now})))
    ORDER BY r.seq`;
}

/** Longest a SQLite lease renewal waits for another writer's lock, ms. */
const RENEW_BUSY_MS = 250;

type LeaseRow = { instance_id: string; department: string; incarnation: string; expires_at: string | number; live: boolean | number };
const toLease = (r: LeaseRow): Lease => ({
  instanceId: r.instance_id, department: r.department, incarnation: r.incarnation, expiresAt: Number(r.expires_at), live: Boolean(r.live),
});

/** Leases on PostgreSQL, timed by the server's clock. */
export function pgLeases(pool: pg.Pool): LeaseBackend {
  const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
  return {
    async migrate() {
      const have = await pool.query(`SELECT to_regclass('supervision_leases') IS NOT NULL AND to_regclass('supervision_records_pending') IS NOT NULL
        AND EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'supervision_records' AND column_name = 'instance_id') AS ok`);
      // Nothing written when all is there, so a read-only connection still opens.
      if (have.rows[0]?.ok) return;
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.supervision_migrate'))");
        await c.query(LEASE_DDL);
        await c.query('ALTER TABLE supervision_records ADD COLUMN IF NOT EXISTS instance_id TEXT');
        await c.query(PENDING_INDEX);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    async renew(instanceId, department, incarnation, ttlMs) {
      const before = await pool.query(`SELECT *, expires_at > ${NOW} AS live FROM supervision_leases WHERE instance_id = $1`, [instanceId]);
      await pool.query(
        `INSERT INTO supervision_leases (instance_id, department, incarnation, expires_at) VALUES ($1, $2, $3, ${NOW} + $4)
         ON CONFLICT (instance_id) DO UPDATE SET department = EXCLUDED.department, incarnation = EXCLUDED.incarnation, expires_at = EXCLUDED.expires_at`,
        [instanceId, department, incarnation, ttlMs],
      );
      return before.rows[0] ? toLease(before.rows[0] as LeaseRow) : null;
    },
    async release(instanceId, incarnation) {
      await pool.query(`UPDATE supervision_leases SET expires_at = ${NOW} WHERE instance_id = $1 AND incarnation = $2`, [instanceId, incarnation]);
    },
    async orphanedIntents(self, unownedCutoff, includeSelf = false) {
      const r = await pool.query(orphanSql(NOW, (i) => `$${i}`), [unownedCutoff, self, includeSelf ? 1 : 0]);
      return (r.rows as Record<string, unknown>[]).map(recordFromRow);
    },
    async list() {
      const r = await pool.query(`SELECT *, expires_at > ${NOW} AS live FROM supervision_leases ORDER BY instance_id`);
      return (r.rows as LeaseRow[]).map(toLease);
    },
  };
}

/** Leases in the embedded SQLite store (one machine, one clock). */
export function sqliteLeases(db: DatabaseSync): LeaseBackend {
  return {
    async migrate() {
      const has = (sql: string) => Boolean(db.prepare(sql).get());
      const column = (db.prepare('PRAGMA table_info(supervision_records)').all() as { name: string }[]).some((c) => c.name === 'instance_id');
      const table = has("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'supervision_leases'");
      const index = has("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'supervision_records_pending'");
      // Nothing written when all is there, so a read-only (query_only) connection still opens.
      if (column && table && index) return;
      db.exec('BEGIN IMMEDIATE');
      try {
        if (!(db.prepare('PRAGMA table_info(supervision_records)').all() as { name: string }[]).some((c) => c.name === 'instance_id')) {
          db.exec('ALTER TABLE supervision_records ADD COLUMN instance_id TEXT');
        }
        db.exec(LEASE_DDL);
        db.exec(PENDING_INDEX);
        db.exec('COMMIT');
      } catch (e) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw e;
      }
    },
    async renew(instanceId, department, incarnation, ttlMs) {
      const now = Date.now();
      const before = db.prepare('SELECT *, expires_at > ? AS live FROM supervision_leases WHERE instance_id = ?').get(now, instanceId) as LeaseRow | undefined;
      // node:sqlite waits for a lock synchronously, stalling every request of the process: a heartbeat waits
      // briefly and otherwise fails (the next one retries; a lease outlives several missed beats).
      const { timeout } = db.prepare('PRAGMA busy_timeout').get() as { timeout: number };
      db.exec(`PRAGMA busy_timeout = ${RENEW_BUSY_MS}`);
      // Nor does it wait for an fsync on the event loop: a lease is not evidence. Unsynced, the renewal is
      // durable with the next record any connection commits (its fsync covers the WAL up to it), and one
      // lost to a power failure only lets the lease run out sooner, for an instance that went down with it.
      const { synchronous } = db.prepare('PRAGMA synchronous').get() as { synchronous: number };
      db.exec('PRAGMA synchronous = NORMAL');
      try {
        db.prepare(
          `INSERT INTO supervision_leases (instance_id, department, incarnation, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (instance_id) DO UPDATE SET department = excluded.department, incarnation = excluded.incarnation, expires_at = excluded.expires_at`,
        ).run(instanceId, department, incarnation, now + ttlMs);
      } finally {
        db.exec(`PRAGMA synchronous = ${Number(synchronous)}`);
        db.exec(`PRAGMA busy_timeout = ${Number(timeout)}`);
      }
      return before ? toLease(before) : null;
    },
    async release(instanceId, incarnation) {
      db.prepare('UPDATE supervision_leases SET expires_at = ? WHERE instance_id = ? AND incarnation = ?').run(Date.now(), instanceId, incarnation);
    },
    async orphanedIntents(self, unownedCutoff, includeSelf = false) {
      // Numbered parameters (?1 … ?4): the shared SQL names the current time as ?4.
      const rows = db.prepare(orphanSql('?4', (i) => `?${i}`)).all(unownedCutoff, self, includeSelf ? 1 : 0, Date.now()) as Record<string, unknown>[];
      return rows.map(recordFromRow);
    },
    async list() {
      return (db.prepare('SELECT *, expires_at > ? AS live FROM supervision_leases ORDER BY instance_id').all(Date.now()) as LeaseRow[]).map(toLease);
    },
  };
}
