/**
 * The shared supervision store: PostgreSQL, for several gateway and subgraph instances at once.
 * Every append is one committed transaction (synchronous_commit on) that first locks the store's
 * append-lock row, so concurrent writers from any number of processes produce one gap-free global
 * sequence and one valid chain per department. A global (rather than per-department) lock keeps `seq`
 * gap-free and commit order equal to seq order, so a cursor reader never skips a record that commits
 * late with a lower seq; one append holds it for about a millisecond.
 */
import pg from 'pg';
import type { HeadsSnapshot, StoreBackend } from './backend.ts';
import type { Checkpoint, PublicKeyEntry } from './checkpoint.ts';
import { COSIGNATURE_DDL, filterSql, HEADS_SQL, indexMigration, INSERT_COLUMNS, RECORD_COLUMNS, recordFromRow, recordValues, storeDdl, type SqlFilter, type SqlValue } from './columns.ts';
import { GENESIS_HASH, isHashAlgorithm, type HashAlgorithm } from './hashing.ts';
import { placeGroup, type GroupEntry } from './group.ts';
import { pgLeases, type LeaseBackend } from './leases.ts';
import type { ChainPosition, RecordDraft, SupervisionRecord } from './record.ts';

/** Options of the PostgreSQL backend. */
export interface PgBackendOptions {
  /** `postgres://…`; a `schema` query parameter selects the schema (search_path). Required. */
  url: string;
  /** Pool size per process; default 4. */
  poolSize?: number;
  /** How long to wait for a connection, ms; default 5000. */
  connectTimeoutMs?: number;
  /** How long an append waits for a lock before failing, ms; default 5000. */
  lockTimeoutMs?: number;
  /** Longest statement, ms; default 15000. */
  statementTimeoutMs?: number;
}

const SCHEMA_VERSION = '1';
const COLUMNS = RECORD_COLUMNS.join(', ');
const INSERT = `INSERT INTO supervision_records (${COLUMNS}) VALUES (${RECORD_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
const DDL = storeDdl('BIGINT');

/**
 * Splits the `schema` and `options` parameters off a URL: the schema becomes a `search_path` server
 * option, merged with any `options` the URL carries (e.g. `-c default_transaction_read_only=on`).
 */
export function parsePgUrl(url: string): { connectionString: string; schema: string | null; options: string | null } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  const extra = u.searchParams.get('options');
  u.searchParams.delete('schema');
  u.searchParams.delete('options');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}.`);
  const options = [extra, schema ? `-c search_path=${schema}` : null].filter(Boolean).join(' ');
  return { connectionString: u.toString(), schema, options: options || null };
}

/** Opens the PostgreSQL backend (connections are made lazily). */
export function openPgBackend(options: PgBackendOptions): StoreBackend {
  const { connectionString, options: serverOptions } = parsePgUrl(options.url);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    lock_timeout: options.lockTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 15000,
    ...(serverOptions ? { options: serverOptions } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor one checked out between two statements of a transaction (the server restarted, the network cut):
  // pg emits that on the client, which has no listener then. The statement in flight still fails.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new PgBackend(pool);
}

type Row = Record<string, unknown>;

class PgBackend implements StoreBackend {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly pool: pg.Pool;
  readonly leases: LeaseBackend;
  constructor(pool: pg.Pool) {
    this.pool = pool;
    this.leases = pgLeases(pool);
  }

  /** The record table's indexes (in the store's schema) by name, each with whether it has a condition. */
  private async indexes(q: pg.Pool | pg.PoolClient): Promise<Map<string, boolean>> {
    const r = await q.query<{ name: string; partial: boolean }>(
      `SELECT c.relname AS name, i.indpred IS NOT NULL AS partial FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass('supervision_records')`,
    );
    return new Map(r.rows.map((row) => [row.name, row.partial]));
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      failed = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      // A failed client may have lost its connection: destroyed, not pooled again.
      client.release(failed);
    }
  }

  async readHashAlgorithm(): Promise<HashAlgorithm | null> {
    const t = await this.pool.query("SELECT to_regclass('supervision_meta') IS NOT NULL AS present");
    if (!t.rows[0]?.present) return null;
    const r = await this.pool.query("SELECT value FROM supervision_meta WHERE key = 'hash_algorithm'");
    const v = r.rows[0]?.value;
    return isHashAlgorithm(v) ? v : null;
  }

  async migrate(hash: HashAlgorithm | undefined): Promise<HashAlgorithm> {
    const stored = await this.readHashAlgorithm();
    if (stored) {
      // A store written before cosignatures existed gets their table; its records are untouched.
      const t = await this.pool.query("SELECT to_regclass('supervision_cosignatures') IS NOT NULL AS present");
      if (!t.rows[0]?.present) {
        await this.tx(async (c) => {
          await c.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.supervision_migrate'))");
          await c.query(COSIGNATURE_DDL);
        });
      }
      // A store made before INDEX_DDL's indexes (or their conditions) gets them (once; writers wait while they are built).
      if (indexMigration(await this.indexes(this.pool)).length > 0) {
        await this.tx(async (c) => {
          await c.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.supervision_migrate'))");
          for (const statement of indexMigration(await this.indexes(c))) await c.query(statement);
        });
      }
      await this.leases.migrate();
      return stored;
    }
    const chosen = hash ?? 'sm3';
    await this.tx(async (c) => {
      // Two processes starting together must not race on CREATE TABLE.
      await c.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.supervision_migrate'))");
      await c.query(DDL);
      await c.query(
        `INSERT INTO supervision_meta (key, value) VALUES ('schema_version', $1), ('hash_algorithm', $2), ('append_lock', ''), ('checkpoint_lock', '')
         ON CONFLICT (key) DO NOTHING`,
        [SCHEMA_VERSION, chosen],
      );
    });
    await this.leases.migrate();
    return (await this.readHashAlgorithm()) ?? chosen;
  }

  async append(
    draft: RecordDraft,
    seal: (p: ChainPosition) => SupervisionRecord,
    check?: (intent: SupervisionRecord | null, outcomes: SupervisionRecord[]) => void,
  ): Promise<SupervisionRecord> {
    return this.tx(async (c) => {
      await c.query('SET LOCAL synchronous_commit = on');
      await c.query("SELECT value FROM supervision_meta WHERE key = 'append_lock' FOR UPDATE");
      if (check && draft.intentSeq !== null) {
        const intent = await c.query('SELECT * FROM supervision_records WHERE seq = $1', [draft.intentSeq]);
        const outcomes = await c.query('SELECT * FROM supervision_records WHERE intent_seq = $1 ORDER BY seq', [draft.intentSeq]);
        check(intent.rows[0] ? recordFromRow(intent.rows[0] as Row) : null, (outcomes.rows as Row[]).map(recordFromRow));
      }
      const last = await c.query('SELECT max(seq) AS seq FROM supervision_records');
      const head = await c.query('SELECT dept_seq, hash FROM supervision_records WHERE department = $1 ORDER BY dept_seq DESC LIMIT 1', [draft.department]);
      const h = head.rows[0] as { dept_seq: string; hash: string } | undefined;
      const record = seal({
        seq: Number(last.rows[0]?.seq ?? 0) + 1,
        deptSeq: Number(h?.dept_seq ?? 0) + 1,
        time: new Date().toISOString(),
        prevHash: h?.hash ?? GENESIS_HASH,
      });
      await c.query(INSERT, recordValues(record));
      return record;
    });
  }

  async appendMany(entries: readonly GroupEntry[], seal: (d: RecordDraft, p: ChainPosition) => SupervisionRecord): Promise<(SupervisionRecord | Error)[]> {
    const departments = [...new Set(entries.map((e) => e.draft.department))];
    const intentSeqs = [...new Set(entries.filter((e) => (e.check || e.closes) && e.draft.intentSeq !== null).map((e) => e.draft.intentSeq!))];
    if (!intentSeqs.every(Number.isSafeInteger)) throw new TypeError('An intent seq to close is not an integer.');
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      // Two round trips a group instead of five. This one (simple protocol, so each statement reads after
      // the lock is held): BEGIN, durability, the append lock, the highest seq, the heads of the group's
      // chains and the intents the group closes with their outcomes so far. Values are literals: text
      // quoted by the driver's escapeLiteral, numbers checked integers.
      const chains = `ARRAY[${departments.map((d) => client.escapeLiteral(d)).join(', ')}]::text[]`;
      const seqs = `ARRAY[${intentSeqs.join(', ')}]::bigint[]`;
      const opened = (await client.query(
        "BEGIN; SET LOCAL synchronous_commit = on; SELECT value FROM supervision_meta WHERE key = 'append_lock' FOR UPDATE; SELECT max(seq) AS seq FROM supervision_records; " +
          `SELECT d.department, h.dept_seq, h.hash FROM unnest(${chains}) AS d(department)
           JOIN LATERAL (SELECT dept_seq, hash FROM supervision_records r WHERE r.department = d.department ORDER BY dept_seq DESC LIMIT 1) h ON TRUE; ` +
          (intentSeqs.length ? `SELECT * FROM supervision_records WHERE seq = ANY(${seqs}) OR intent_seq = ANY(${seqs}) ORDER BY seq` : 'SELECT 1 WHERE FALSE'),
      )) as unknown as pg.QueryResult[];
      const headOf = new Map((opened[4]!.rows as { department: string; dept_seq: string; hash: string }[]).map((h) => [h.department, { deptSeq: Number(h.dept_seq), hash: h.hash }]));
      const related = (opened[5]!.rows as Row[]).map(recordFromRow);
      const { results, records, owners } = placeGroup(entries, {
        lastSeq: Number(opened[3]?.rows[0]?.seq ?? 0),
        headOf: (d) => headOf.get(d) ?? null,
        recordAt: (seq) => related.find((r) => r.seq === seq) ?? null,
        outcomesOf: (seq) => related.filter((r) => r.intentSeq === seq),
      }, seal);
      // The group's rows and the COMMIT in one more round trip, as literals (simple protocol again): the
      // INSERT's error, if any, stops the batch before COMMIT and the transaction is rolled back below.
      const literal = (v: SqlValue): string => {
        if (v === null) return 'NULL';
        if (typeof v === 'number') {
          if (!Number.isSafeInteger(v)) throw new TypeError('A record column holds a number that is not an integer.');
          return String(v);
        }
        return client.escapeLiteral(v);
      };
      const rows = records.map((r, i) => `(${[...recordValues(r), owners[i] ?? null].map(literal).join(', ')})`);
      await client.query(`${rows.length ? `INSERT INTO supervision_records (${INSERT_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}; ` : ''}COMMIT`);
      return results;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      failed = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      client.release(failed);
    }
  }

  async chainHashes(department: string, afterDeptSeq: number, limit: number): Promise<string[]> {
    const r = await this.pool.query('SELECT hash FROM supervision_records WHERE department = $1 AND dept_seq > $2 ORDER BY dept_seq LIMIT $3', [department, afterDeptSeq, limit]);
    return (r.rows as { hash: string }[]).map((x) => x.hash);
  }

  async get(seq: number): Promise<SupervisionRecord | null> {
    const r = await this.pool.query('SELECT * FROM supervision_records WHERE seq = $1', [seq]);
    return r.rows[0] ? recordFromRow(r.rows[0] as Row) : null;
  }

  async byDeptSeq(department: string, deptSeq: number): Promise<SupervisionRecord | null> {
    const r = await this.pool.query('SELECT * FROM supervision_records WHERE department = $1 AND dept_seq = $2', [department, deptSeq]);
    return r.rows[0] ? recordFromRow(r.rows[0] as Row) : null;
  }

  async openIntents(): Promise<SupervisionRecord[]> {
    const r = await this.pool.query(`SELECT * FROM supervision_records r WHERE r.kind = 'intent' AND r.outcome = 'PENDING'
      AND NOT EXISTS (SELECT 1 FROM supervision_records o WHERE o.intent_seq = r.seq) ORDER BY r.seq`);
    return (r.rows as Row[]).map(recordFromRow);
  }

  async query(filter: SqlFilter, afterSeq: number, limit: number, count: boolean): Promise<{ records: SupervisionRecord[]; total: number | null }> {
    const where = filterSql(filter, (i) => `$${i}`);
    const n = where.params.length;
    const page = `SELECT * FROM supervision_records WHERE ${where.sql} AND seq > $${n + 1} ORDER BY seq LIMIT $${n + 2}`;
    if (!count) return { records: ((await this.pool.query(page, [...where.params, afterSeq, limit])).rows as Row[]).map(recordFromRow), total: null };
    // Page and count in one statement (one snapshot), each through its own index; the page may be empty.
    // (A CTE of the matching rows read twice was materialised whole: every match, to show one page.)
    const r = await this.pool.query(
      `SELECT c.total_count, p.* FROM (SELECT count(*) AS total_count FROM supervision_records WHERE ${where.sql}) c LEFT JOIN LATERAL (${page}) p ON TRUE`,
      [...where.params, afterSeq, limit],
    );
    const rows = r.rows as Row[];
    return { records: rows.filter((row) => row.seq !== null).map(recordFromRow), total: Number(rows[0]?.total_count ?? 0) };
  }

  async scan(afterSeq: number, limit: number): Promise<SupervisionRecord[]> {
    const r = await this.pool.query('SELECT * FROM supervision_records WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
    return (r.rows as Row[]).map(recordFromRow);
  }

  async heads(): Promise<HeadsSnapshot> {
    return this.headsWith(this.pool);
  }

  private async headsWith(q: pg.Pool | pg.PoolClient): Promise<HeadsSnapshot> {
    const r = await q.query(HEADS_SQL);
    const rows = r.rows as { department: string; dept_seq: string; hash: string; seq: string }[];
    return {
      heads: rows.map((x) => ({ department: x.department, deptSeq: Number(x.dept_seq), hash: x.hash })),
      totalSeq: rows.reduce((m, x) => Math.max(m, Number(x.seq)), 0),
    };
  }

  async addCheckpoint(make: (id: number, snapshot: HeadsSnapshot, previous: string | null) => Checkpoint): Promise<Checkpoint> {
    return this.tx(async (c) => {
      await c.query("SELECT value FROM supervision_meta WHERE key = 'checkpoint_lock' FOR UPDATE");
      const last = await c.query('SELECT id, body FROM supervision_checkpoints ORDER BY id DESC LIMIT 1');
      const prev = last.rows[0] as { id: string; body: string } | undefined;
      const cp = make(Number(prev?.id ?? 0) + 1, await this.headsWith(c), prev?.body ?? null);
      await c.query('INSERT INTO supervision_checkpoints (id, body) VALUES ($1, $2)', [cp.id, JSON.stringify(cp)]);
      return cp;
    });
  }

  async checkpointTexts(last?: number): Promise<string[]> {
    if (last === undefined) return ((await this.pool.query('SELECT body FROM supervision_checkpoints ORDER BY id')).rows as { body: string }[]).map((x) => x.body);
    const r = await this.pool.query('SELECT body FROM supervision_checkpoints ORDER BY id DESC LIMIT $1', [last]);
    return (r.rows as { body: string }[]).map((x) => x.body).reverse();
  }

  async checkpointText(id: number): Promise<string | null> {
    const r = await this.pool.query('SELECT body FROM supervision_checkpoints WHERE id = $1', [id]);
    return (r.rows[0] as { body: string } | undefined)?.body ?? null;
  }

  async saveCosignature(checkpointId: number, keyId: string, body: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO supervision_cosignatures (checkpoint_id, key_id, body) VALUES ($1, $2, $3)
       ON CONFLICT (checkpoint_id, key_id) DO UPDATE SET body = EXCLUDED.body`,
      [checkpointId, keyId, body],
    );
  }

  async cosignatureTexts(checkpointId?: number): Promise<string[]> {
    const r = checkpointId === undefined
      ? await this.pool.query('SELECT body FROM supervision_cosignatures ORDER BY checkpoint_id, key_id')
      : await this.pool.query('SELECT body FROM supervision_cosignatures WHERE checkpoint_id = $1 ORDER BY key_id', [checkpointId]);
    return (r.rows as { body: string }[]).map((x) => x.body);
  }

  async saveKey(key: PublicKeyEntry): Promise<void> {
    const known = await this.pool.query('SELECT 1 FROM supervision_keys WHERE key_id = $1', [key.keyId]);
    if (known.rowCount) return;
    await this.pool.query('INSERT INTO supervision_keys (key_id, algorithm, public_key_pem) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING', [
      key.keyId,
      key.algorithm,
      key.publicKeyPem,
    ]);
  }

  async keys(): Promise<PublicKeyEntry[]> {
    const r = await this.pool.query('SELECT key_id, algorithm, public_key_pem FROM supervision_keys ORDER BY key_id');
    return (r.rows as { key_id: string; algorithm: string; public_key_pem: string }[]).map((x) => ({
      keyId: x.key_id,
      algorithm: x.algorithm as PublicKeyEntry['algorithm'],
      publicKeyPem: x.public_key_pem,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
