/**
 * Auditors' filters over the log (`query`): every filter and combination gives exactly the records a
 * plain reading of the whole log gives, page by page, with the right total, whichever index the
 * backend reads them through; a page asked without its count gives the same records and no count; and
 * a store made before the filter indexes gets them when opened, or is read without them when opened
 * read-only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILTER_INDEX_DDL, type SqlFilter } from '../columns.ts';
import { pseudonymOf } from '../pseudonym.ts';
import type { SupervisionRecord } from '../record.ts';
import { openSqliteBackend, readPaths } from '../sqlite-store.ts';
import type { RecordFilter, SupervisionStore } from '../store.ts';
import { BACKENDS, SUBJECT_KEY, type TestContext } from './harness.ts';

const PEOPLE = ['210102198503152318', '210102198708201523'];
const DEPARTMENTS = ['population', 'medicalInsurance', 'housingFund'];
const INDEX_NAMES = FILTER_INDEX_DDL.map((d) => /INDEX IF NOT EXISTS (\w+)/.exec(d)![1]!);

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

    it('adds the filter indexes to a store made before them, and answers the same', async () => {
      await fill(store);
      await store.close();
      for (const name of INDEX_NAMES) await ctx.sql(`DROP INDEX ${name}`);
      store = await ctx.open();
      const indexes = backend.name === 'sqlite'
        ? await ctx.sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        : await ctx.sql('SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()');
      expect(indexes.map((r) => r.name)).toEqual(expect.arrayContaining(INDEX_NAMES));
      await checkAll(store);
    });

    if (backend.name === 'sqlite') {
      it('reads a store without the filter indexes read-only, without asking for them', async () => {
        await fill(store);
        await store.close();
        for (const name of INDEX_NAMES) await ctx.sql(`DROP INDEX ${name}`);
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
    }
  });
}
