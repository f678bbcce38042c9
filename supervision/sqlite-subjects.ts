/**
 * The SQLite store's index of records by subject, kept off the append path. An index on the records'
 * `subject_hmac` column put each access record's entry on a random B-tree page, so a commit of 100
 * records rewrote about 130 index pages into the WAL (≈ 550 KB, most of the commit's CPU). Instead,
 * appends write only the record; the entries of records up to a watermark are added later in bulk,
 * sorted (one page write serves every entry that lands on it), and a query by subject reads the index
 * up to the watermark plus the records after it. The index is derived data: it is outside every hash,
 * and a store rebuilds it from the records when it is missing.
 */
import type { DatabaseSync } from 'node:sqlite';

/** The index table: an 8-byte prefix of the subject HMAC and the seq (16 bytes an entry instead of ≈ 75). */
export const SUBJECT_INDEX_DDL = `CREATE TABLE IF NOT EXISTS supervision_subjects (
  subject_key BLOB NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (subject_key, seq)
) WITHOUT ROWID;
INSERT OR IGNORE INTO supervision_meta (key, value) VALUES ('subjects_indexed_to', '0');`;

/** Records indexed per transaction of a catch-up, so one never holds the write lock for long. */
export const SUBJECT_BATCH = 5_000;

/** The SQL of the subject key of `column`: the first 8 bytes of its hex HMAC (its text, should a row hold no hex). */
const keyOf = (column: string) => `coalesce(unhex(substr(${column}, 1, 16)), CAST(substr(${column}, 1, 16) AS BLOB))`;

/**
 * `WHERE` conditions (without the keyword) selecting the records of one subject after seq `after`:
 * the index up to the watermark, the records after it scanned by seq, and the full HMAC checked on the
 * row (two subjects may share a prefix). Parameters in order.
 */
export function subjectCondition(hmac: string, after: number): { sql: string; params: (string | number)[] } {
  return {
    sql: `seq IN (SELECT seq FROM supervision_subjects WHERE subject_key = ${keyOf('?')} AND seq > ?
                  UNION SELECT seq FROM supervision_records
                  WHERE seq > max(?, (SELECT CAST(value AS INTEGER) FROM supervision_meta WHERE key = 'subjects_indexed_to')) AND subject_hmac = ?)
          AND subject_hmac = ?`,
    params: [hmac, hmac, after, after, hmac, hmac], // keyOf('?') names the HMAC twice
  };
}

/** True when the store has the deferred subject index (stores made before it have a column index instead). */
export function hasSubjectIndex(db: DatabaseSync): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'supervision_subjects'").get() !== undefined;
}

/** Seq up to which the index holds every record's entry. */
export function indexedTo(db: DatabaseSync): number {
  const row = db.prepare("SELECT CAST(value AS INTEGER) AS w FROM supervision_meta WHERE key = 'subjects_indexed_to'").get() as { w: number } | undefined;
  return row?.w ?? 0;
}

/**
 * Adds the entries of up to SUBJECT_BATCH records after the watermark, sorted by key, and moves the
 * watermark, in one transaction (the caller's `BEGIN IMMEDIATE`, so two processes never index the same
 * records twice). Returns the new watermark.
 */
export function indexSubjectsBatch(db: DatabaseSync): number {
  const from = indexedTo(db);
  const last = (db.prepare('SELECT max(seq) AS m FROM supervision_records').get() as { m: number | null }).m ?? 0;
  const to = Math.min(last, from + SUBJECT_BATCH);
  if (to <= from) return from;
  db.prepare(`INSERT OR IGNORE INTO supervision_subjects (subject_key, seq)
              SELECT ${keyOf('subject_hmac')}, seq FROM supervision_records
              WHERE seq > ? AND seq <= ? AND subject_hmac IS NOT NULL ORDER BY 1, 2`).run(from, to);
  db.prepare("UPDATE supervision_meta SET value = ? WHERE key = 'subjects_indexed_to'").run(String(to));
  return to;
}
