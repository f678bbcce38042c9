/**
 * Auditors' filters over the log (`query`): every filter and combination gives exactly the records a
 * plain reading of the whole log gives, page by page, with the right total, whichever index the
 * backend reads them through; a page asked without its count gives the same records and no count; a
 * store made before the filter indexes (and with whole intent and case indexes) gets them, with their
 * conditions, when opened, or is read without them when opened read-only; and an access record, most of
 * the log, is written to no index that finds few records.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { filterSql, INDEX_DDL, type SqlFilter } from '../columns.ts';
import { pseudonymOf } from '../pseudonym.ts';
import type { SupervisionRecord } from '../record.ts';
import { openSqliteBackend, readPaths } from '../sqlite-store.ts';
import type { RecordFilter, SupervisionStore } from '../store.ts';
import { BACKENDS, SUBJECT_KEY, type TestContext } from './harness.ts';

const PEOPLE = ['210102198503152318', '210102198708201523'];
const DEPARTMENTS = ['population', 'medicalInsurance', 'housingFund'];
const INDEX_NAMES = INDEX_DDL.map((i) => i.name);
/** The indexes as a store made before INDEX_DDL had them: intent and case whole, no filter indexes. */
const OLD_INDEXES = [
  'CREATE INDEX supervision_records_intent ON supervision_records (intent_seq)',
  'CREATE INDEX supervision_records_case ON supervision_records (case_number)',
];

/** A log of every kind: intents with each outcome (one left open), refusals, reads by several roles, case numbers, three departments. */
async function fill(store: SupervisionStore): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const department = DEPARTMENTS[i % 3]!;
    const subject = { kind: 'citizen' as const, id: PEOPLE[i % 2]! };
    if (i % 4 === 0) {
      const intent = await store.appendIntent({ department, actor: { role: 'staff', department }, field: 'Mutation.update', operation: 'Update', subject, caseNumber: i % 8 === 0 ? `CASE-${i % 16}` : null, args: { i } });
      if (i !== 56) await store.appendOutcome(intent, { outcome: i % 12 === 0 ? 'ERROR' : 'SUCCESS', ...(i % 12 === 0 ? { errorCode: 'LEGACY_UNAVAILABLE' } : {}) });
    } else if (i % 7 === 0) {
      await store.appendDenied({ department, actor: { role: 'integrator', client: 'hotel' }, field: 'Mutation.update', subject, args: { i } });
    } else {
      await store.appendAccess({
        department, actor: { role: ['staff', 'integrator', 'app', 'admin'][i % 4]!, department }, field: 'Citizen.name', subject,
        args: { fields: ['Citizen.name'], purpose: null }, ...(i % 5 === 0 ? { outcome: 'DENIED' as const } : {}),
      });
    }
  }
}

/** Every record matching `filter`, page by page through the cursors, and the first page's count. */
async function readAll(store: SupervisionStore, filter: RecordFilter, first: number, count: boolean): Promise<{ seqs: number[]; total: number | null }> {
  const seqs: number[] = [];
  let after: string | null = null;
  let total: number | null | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.query(filter, { first, after, count });
    total ??= page.totalCount;
    seqs.push(...page.records.map((r) => r.seq));
    if (!page.pageInfo.hasNextPage) return { seqs, total };
    after = page.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

/** What `filter` keeps of `all`, decided here field by field. */
function expected(all: SupervisionRecord[], f: RecordFilter, hmacOf: (id: string) => string): number[] {
  return all
    .filter((r) =>
      (f.department === undefined || r.department === f.department) &&
      (f.kind === undefined || r.kind === f.kind) &&
      (f.outcome === undefined || r.outcome === f.outcome) &&
      (f.actorRole === undefined || r.actor.role === f.actorRole) &&
      (f.operation === undefined || r.operation === f.operation) &&
      (f.field === undefined || r.field === f.field) &&
      (f.caseNumber === undefined || r.caseNumber === f.caseNumber) &&
      (f.subjectId === undefined || r.subject?.hmac === hmacOf(f.subjectId)) &&
      (f.from === undefined || r.time >= f.from) &&
      (f.to === undefined || r.time < f.to))
    .map((r) => r.seq);
}

const FILTERS: RecordFilter[] = [
  {}, { kind: 'access' }, { kind: 'intent' }, { kind: 'outcome' }, { department: 'population' },
  { department: 'population', kind: 'access' }, { department: 'medicalInsurance', kind: 'intent' }, { department: 'housingFund', kind: 'outcome' },
  { outcome: 'DENIED' }, { outcome: 'ERROR' }, { outcome: 'PENDING' }, { outcome: 'OUTCOME_UNKNOWN' }, { department: 'population', outcome: 'DENIED' },
  { actorRole: 'integrator' }, { kind: 'access', actorRole: 'app' }, { department: 'population', kind: 'access', actorRole: 'staff' },
  { caseNumber: 'CASE-0' }, { caseNumber: 'CASE-8', kind: 'outcome' }, { operation: 'Update' }, { field: 'Citizen.name', outcome: 'SUCCESS' },
  { subjectId: PEOPLE[0] }, { subjectId: PEOPLE[1], kind: 'access', department: 'population' },
];

for (const backend of BACKENDS) {
  describe(`auditors' filters (${backend.name})`, () => {
    let ctx: TestContext;
    let store: SupervisionStore;
    beforeEach(async () => {
      ctx = await backend.create();
      store = await ctx.open();
    });
    afterEach(async () => {
      await store.close();
      await ctx.cleanup();
    });

    /** Every filter (and each with a time range around the middle of the log) against the plain reading. */
    async function checkAll(s: SupervisionStore): Promise<void> {
      const all = (await readAll(s, {}, 100, false)).seqs;
      const records = (await Promise.all(all.map((seq) => s.get(seq)))) as SupervisionRecord[];
      const middle = records[Math.floor(records.length / 2)]!.time;
      const hmacOf = (id: string) => pseudonymOf(id, SUBJECT_KEY, 'sm3').hmac;
      for (const base of FILTERS) {
        for (const filter of [base, { ...base, from: middle }, { ...base, to: middle }]) {
          const want = expected(records, filter, hmacOf);
          const counted = await readAll(s, filter, 7, true);
          expect({ filter, seqs: counted.seqs, total: counted.total }).toEqual({ filter, seqs: want, total: want.length });
          const uncounted = await readAll(s, filter, 7, false);
          expect({ filter, seqs: uncounted.seqs, total: uncounted.total }).toEqual({ filter, seqs: want, total: null });
        }
      }
    }

    it('gives the records a plain reading gives, page by page, with their count, or none when not asked', async () => {
      await fill(store);
      const all = await readAll(store, {}, 100, true);
      expect(all.total).toBeGreaterThan(70);
      await checkAll(store);
    });

    /** The record table's indexes by name, each with whether it has a condition. */
    async function indexes(): Promise<Map<string, boolean>> {
      const rows = backend.name === 'sqlite'
        ? await ctx.sql("SELECT name, sql LIKE '% WHERE %' AS partial FROM sqlite_master WHERE type = 'index' AND tbl_name = 'supervision_records'")
        : await ctx.sql("SELECT c.relname AS name, i.indpred IS NOT NULL AS partial FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass('supervision_records')");
      return new Map(rows.map((r) => [String(r.name), Boolean(r.partial)]));
    }

    /** Turns the store's indexes back into an older version's. */
    async function makeOld(): Promise<void> {
      for (const name of INDEX_NAMES) await ctx.sql(`DROP INDEX ${name}`);
      for (const ddl of OLD_INDEXES) await ctx.sql(ddl);
    }

    it('makes its indexes partial where they find few records', async () => {
      const made = await indexes();
      for (const i of INDEX_DDL) expect({ name: i.name, partial: made.get(i.name) }).toEqual({ name: i.name, partial: i.partial });
    });

    it('brings the indexes of a store made before them up to date, and answers the same', async () => {
      await fill(store);
      await store.close();
      await makeOld();
      expect((await indexes()).get('supervision_records_intent')).toBe(false);
      store = await ctx.open();
      const now = await indexes();
      for (const i of INDEX_DDL) expect({ name: i.name, partial: now.get(i.name) }).toEqual({ name: i.name, partial: i.partial });
      await checkAll(store);
      // The outcomes of an intent are still found through its index (a second outcome is refused).
      const intent = await store.appendIntent({ department: 'population', actor: { role: 'staff' }, field: 'Mutation.update', args: {} });
      await store.appendOutcome(intent, { outcome: 'SUCCESS' });
      await expect(store.appendOutcome(intent, { outcome: 'SUCCESS' })).rejects.toThrow();
    });

    if (backend.name === 'sqlite') {
      it('reads a store without the filter indexes read-only, without asking for them', async () => {
        await fill(store);
        await store.close();
        await makeOld();
        const ro = openSqliteBackend({ path: ctx.db, readOnly: true });
        try {
          await ro.migrate(undefined);
          const page = await ro.query({ department: 'population', kind: 'access', outcome: 'DENIED' }, 0, 50, true);
          expect(page.records.length).toBeGreaterThan(0);
          expect(page.records.every((r) => r.department === 'population' && r.kind === 'access' && r.outcome === 'DENIED')).toBe(true);
          expect(page.total).toBe(page.records.length);
        } finally {
          await ro.close();
        }
        store = await ctx.open();
      });

      it("reads a department's records of one kind through the kind index, not the whole department", async () => {
        await fill(store);
        const plan = async (f: SqlFilter, what: 'page' | 'count') => {
          const paths = readPaths(f);
          const sql = what === 'page'
            ? `EXPLAIN QUERY PLAN SELECT * FROM supervision_records ${paths.page} WHERE department = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?`
            : `EXPLAIN QUERY PLAN SELECT count(*) FROM supervision_records ${paths.count} WHERE department = ? AND kind = ?`;
          return (await ctx.sql(sql, what === 'page' ? [f.department, f.kind, 0, 10] : [f.department, f.kind])).map((r) => String(r.detail)).join(' | ');
        };
        const f = { department: 'population', kind: 'intent' };
        expect(await plan(f, 'page')).toMatch(/supervision_records_kind/);
        expect(await plan(f, 'page')).not.toMatch(/TEMP B-TREE/); // already in seq order: no sort
        expect(await plan(f, 'count')).toMatch(/COVERING INDEX supervision_records_kind/);
      });

      it('finds rare outcomes, an intent\'s outcomes and open intents through the partial indexes', async () => {
        await fill(store);
        const plan = async (sql: string, params: (string | number)[]) => (await ctx.sql(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => String(r.detail)).join(' | ');
        // The page's text as the backend writes it (filterSql adds the index's own condition).
        const rare = readPaths({ outcome: 'DENIED' });
        const where = filterSql({ outcome: 'DENIED' }, () => '?');
        expect(await plan(`SELECT * FROM supervision_records ${rare.page} WHERE ${where.sql} AND seq > ? ORDER BY seq LIMIT ?`, [...where.params as string[], 0, 10]))
          .toMatch(/supervision_records_outcome/);
        expect(await plan('SELECT * FROM supervision_records WHERE intent_seq = ? ORDER BY seq', [1])).toMatch(/supervision_records_intent/);
        expect(await plan(`SELECT * FROM supervision_records r WHERE r.kind = 'intent' AND r.outcome = 'PENDING'
          AND NOT EXISTS (SELECT 1 FROM supervision_records o WHERE o.intent_seq = r.seq) ORDER BY r.seq`, [])).toMatch(/supervision_records_intent/);
        expect(await plan('SELECT * FROM supervision_records WHERE case_number = ?', ['CASE-0'])).toMatch(/supervision_records_case/);
      });

      it('writes an access record to four pages: the table, its chain, time and kind indexes', async () => {
        // Each index is one more 4 KB page in the WAL at every commit.
        const wal = () => statSync(`${ctx.db}-wal`).size;
        const subject = { kind: 'citizen' as const, id: PEOPLE[0]! };
        const read = () => store.appendAccess({ department: 'population', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name', subject, args: { fields: ['Citizen.name'], purpose: null } });
        for (let i = 0; i < 5; i++) await read();
        // The fewest pages of one commit: a page split, or the subject index's catch-up (once a second), writes more.
        let fewest = Infinity;
        for (let i = 0; i < 20; i++) {
          const before = wal();
          await read();
          fewest = Math.min(fewest, wal() - before);
        }
        expect(fewest / (4096 + 24)).toBe(4); // a page and its frame header
      });
    }
  });
}
