/**
 * The one mapping between records and table rows, shared by both backends, and the SQL of `query`
 * filters. Every field of a record is its own column, so the verifier re-hashes exactly what is stored
 * and an edit to any column breaks the record's hash.
 */
import type { Outcome, RecordKind, SupervisionRecord } from './record.ts';

/**
 * Each chain's head (department, dept_seq, hash, seq), by department, in both dialects: the departments
 * found by skipping from one to the next in the chain index and each head by a seek in it, a few lookups
 * where `GROUP BY department` read the whole index at every checkpoint (PostgreSQL has no skip scan;
 * 154 → 1.6 ms at 400,000 records there).
 */
export const HEADS_SQL = `WITH RECURSIVE d(department) AS (
    SELECT (SELECT min(department) FROM supervision_records)
    UNION ALL
    SELECT (SELECT min(department) FROM supervision_records WHERE department > d.department) FROM d WHERE d.department IS NOT NULL)
  SELECT r.department, r.dept_seq, r.hash, r.seq FROM d JOIN supervision_records r
  ON r.department = d.department AND r.dept_seq = (SELECT max(dept_seq) FROM supervision_records WHERE department = d.department)
  ORDER BY r.department`;

/** Column names in insert order. */
export const RECORD_COLUMNS = [
  'seq', 'dept_seq', 'time', 'department', 'kind', 'intent_seq',
  'actor_role', 'actor_department', 'actor_client', 'actor_sub_hmac', 'actor_sub_masked', 'actor_obo_hmac', 'actor_obo_masked',
  'operation', 'field', 'power_item', 'subject_kind', 'subject_hmac', 'subject_masked', 'case_number',
  'args_digest', 'args', 'outcome', 'error_code', 'request_id', 'prev_hash', 'hash',
] as const;

/** Columns a group commit inserts: the record's, then its owning instance (not hashed; see leases.ts). */
export const INSERT_COLUMNS = [...RECORD_COLUMNS, 'instance_id'] as const;

/** A value as a driver accepts it. */
export type SqlValue = string | number | null;

/** The values of a record's row, in `RECORD_COLUMNS` order. */
export function recordValues(r: SupervisionRecord): SqlValue[] {
  return [
    r.seq, r.deptSeq, r.time, r.department, r.kind, r.intentSeq,
    r.actor.role, r.actor.department, r.actor.client, r.actor.sub?.hmac ?? null, r.actor.sub?.masked ?? null,
    r.actor.onBehalfOf?.hmac ?? null, r.actor.onBehalfOf?.masked ?? null,
    r.operation, r.field, r.powerItem, r.subject?.kind ?? null, r.subject?.hmac ?? null, r.subject?.masked ?? null, r.caseNumber,
    r.argsDigest, r.args === null || r.args === undefined ? null : JSON.stringify(r.args), r.outcome, r.errorCode, r.requestId, r.prevHash, r.hash,
  ];
}

/** Rebuilds a record from its row (integers may arrive as strings or bigints from PostgreSQL). */
export function recordFromRow(row: Record<string, unknown>): SupervisionRecord {
  return build((k) => row[k]);
}

const INDEX = new Map<string, number>(RECORD_COLUMNS.map((c, i) => [c, i]));

/** Rebuilds a record from its row as an array of values in `RECORD_COLUMNS` order (cheaper to read in bulk). */
export function recordFromArray(values: readonly unknown[]): SupervisionRecord {
  return build((k) => values[INDEX.get(k)!]);
}

function build(get: (column: string) => unknown): SupervisionRecord {
  const s = (k: string): string | null => {
    const v = get(k);
    return v === null || v === undefined ? null : String(v);
  };
  const n = (k: string): number | null => {
    const v = get(k);
    return v === null || v === undefined ? null : Number(v);
  };
  const pseudo = (h: string, m: string) => (s(h) === null && s(m) === null ? null : { hmac: s(h) ?? '', masked: s(m) ?? '' });
  const subject = s('subject_kind');
  const args = s('args');
  return {
    seq: n('seq') ?? 0,
    deptSeq: n('dept_seq') ?? 0,
    time: s('time') ?? '',
    department: s('department') ?? '',
    kind: s('kind') as RecordKind,
    intentSeq: n('intent_seq'),
    actor: {
      role: s('actor_role') ?? '',
      department: s('actor_department'),
      client: s('actor_client'),
      sub: pseudo('actor_sub_hmac', 'actor_sub_masked'),
      onBehalfOf: pseudo('actor_obo_hmac', 'actor_obo_masked'),
    },
    operation: s('operation'),
    field: s('field') ?? '',
    powerItem: s('power_item'),
    subject: subject === null ? null : { kind: subject as 'citizen' | 'enterprise', hmac: s('subject_hmac') ?? '', masked: s('subject_masked') ?? '' },
    caseNumber: s('case_number'),
    argsDigest: s('args_digest'),
    args: args === null ? null : parseArgs(args),
    outcome: s('outcome') as Outcome,
    errorCode: s('error_code'),
    requestId: s('request_id'),
    prevHash: s('prev_hash') ?? '',
    hash: s('hash') ?? '',
  };
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A mangled column must surface as a modified record, not crash the reader.
    return { unparsableArgs: text };
  }
}

/** A `query` filter after validation, with the subject ID already turned into its HMAC. */
export interface SqlFilter {
  department?: string;
  actorRole?: string;
  operation?: string;
  field?: string;
  powerItem?: string;
  subjectHmac?: string;
  caseNumber?: string;
  outcome?: string;
  kind?: string;
  from?: string;
  to?: string;
}

const EQUALS: [keyof SqlFilter, string][] = [
  ['department', 'department'], ['actorRole', 'actor_role'], ['operation', 'operation'], ['field', 'field'],
  ['powerItem', 'power_item'], ['subjectHmac', 'subject_hmac'], ['caseNumber', 'case_number'], ['outcome', 'outcome'], ['kind', 'kind'],
];

/** `WHERE` conditions (without the keyword) and their parameters; `ph(i)` writes the i-th placeholder. */
export function filterSql(f: SqlFilter, ph: (i: number) => string, first = 1): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const add = (cond: (p: string) => string, value: SqlValue) => {
    params.push(value);
    parts.push(cond(ph(first + params.length - 1)));
  };
  for (const [key, column] of EQUALS) if (f[key] !== undefined) add((p) => `${column} = ${p}`, f[key] ?? null);
  // Implied by the outcome asked for; written out so both databases see the outcome index's own condition (INDEX_DDL).
  if (f.outcome !== undefined && RARE_OUTCOMES.includes(f.outcome)) parts.push(RARE_OUTCOME_SQL);
  // ISO strings of one format sort as time does.
  if (f.from !== undefined) add((p) => `time >= ${p}`, f.from);
  if (f.to !== undefined) add((p) => `time < ${p}`, f.to);
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/**
 * The tables of the store; the two backends differ in their integer type and in how records are found
 * by subject: a column index (PostgreSQL), or a table filled off the append path (SQLite, see
 * sqlite-subjects.ts).
 */
export function storeDdl(integer: 'INTEGER' | 'BIGINT', subjectIndex: 'column' | 'deferred' = 'column'): string {
  return `
CREATE TABLE IF NOT EXISTS supervision_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS supervision_records (
  seq ${integer} PRIMARY KEY, dept_seq ${integer} NOT NULL, time TEXT NOT NULL, department TEXT NOT NULL, kind TEXT NOT NULL,
  intent_seq ${integer}, actor_role TEXT NOT NULL, actor_department TEXT, actor_client TEXT,
  actor_sub_hmac TEXT, actor_sub_masked TEXT, actor_obo_hmac TEXT, actor_obo_masked TEXT,
  operation TEXT, field TEXT NOT NULL, power_item TEXT, subject_kind TEXT, subject_hmac TEXT, subject_masked TEXT,
  case_number TEXT, args_digest TEXT, args TEXT, outcome TEXT NOT NULL, error_code TEXT, request_id TEXT,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS supervision_records_chain ON supervision_records (department, dept_seq);
${subjectIndex === 'column' ? 'CREATE INDEX IF NOT EXISTS supervision_records_subject ON supervision_records (subject_hmac);\n' : ''}CREATE INDEX IF NOT EXISTS supervision_records_time ON supervision_records (time);
${INDEX_DDL.map((i) => i.ddl).join(';\n')};
CREATE TABLE IF NOT EXISTS supervision_checkpoints (id ${integer} PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS supervision_keys (key_id TEXT PRIMARY KEY, algorithm TEXT NOT NULL, public_key_pem TEXT NOT NULL);
${COSIGNATURE_DDL}`;
}

/** Outcomes few enough that their own index finds a page sooner than the log read in seq order. */
export const RARE_OUTCOMES: readonly string[] = ['ERROR', 'DENIED', 'OUTCOME_UNKNOWN'];
const RARE_OUTCOME_SQL = `outcome IN (${RARE_OUTCOMES.map((o) => `'${o}'`).join(', ')})`;

/**
 * Indexes made on open when a store lacks them, or has them without their condition (`partial`).
 * Every index is one more B-tree page written to the WAL at each commit: with all of these whole, a
 * one-record commit of an access record wrote 7 pages (28 KB), now 4. So the indexes that find few
 * records hold only those: an access record (most of the log) is in none of the three partial ones.
 * - intent_seq and case_number: the outcomes of an intent, the records of a case (NULL otherwise).
 * - kind, department, seq, time: auditors' pages of one kind of one department in seq order; counts
 *   of a kind, of a kind in a department, and of those in a time range, from the index alone.
 * - outcome, seq (rare outcomes only; filterSql writes the condition out): pages and counts of ERROR,
 *   DENIED, OUTCOME_UNKNOWN.
 * Without the last two, on a store of 3 million records, a department's intents, the console's
 * activity chart (department + kind + time) and rare outcomes each took about a second a page or count
 * (docs/BENCHMARKS.md). Building them is ≈ 2.5 s per million records, once; writers wait meanwhile.
 */
export const INDEX_DDL: readonly { name: string; partial: boolean; ddl: string }[] = [
  index('supervision_records_intent', 'intent_seq', 'intent_seq IS NOT NULL'),
  index('supervision_records_case', 'case_number', 'case_number IS NOT NULL'),
  index('supervision_records_kind', 'kind, department, seq, time'),
  index('supervision_records_outcome', 'outcome, seq', RARE_OUTCOME_SQL),
];

function index(name: string, columns: string, where?: string): { name: string; partial: boolean; ddl: string } {
  return { name, partial: where !== undefined, ddl: `CREATE INDEX IF NOT EXISTS ${name} ON supervision_records (${columns})${where ? ` WHERE ${where}` : ''}` };
}

/**
 * The statements that bring a store's indexes to INDEX_DDL, given what it has (`name` → whether it
 * has a condition): none when it is current. An index made whole by an older version is dropped and
 * made again with its condition.
 */
export function indexMigration(existing: ReadonlyMap<string, boolean>): string[] {
  return INDEX_DDL.flatMap((i) => {
    const has = existing.get(i.name);
    if (has === undefined) return [i.ddl];
    if (has !== i.partial) return [`DROP INDEX ${i.name}`, i.ddl];
    return [];
  });
}

/** Witnesses' cosignatures of checkpoints (added in schema 2; created on open for older stores). */
export const COSIGNATURE_DDL = `CREATE TABLE IF NOT EXISTS supervision_cosignatures (
  checkpoint_id BIGINT NOT NULL, key_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (checkpoint_id, key_id)
);`;
