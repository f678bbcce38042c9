/**
 * The SQLite store's deferred subject index (sqlite-subjects.ts): a query by subject finds every record
 * of that subject whether its entry is in the index yet or not, never another subject's record, and
 * stores made before the index get it from their records.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeDdl } from '../columns.ts';
import { pseudonymOf } from '../pseudonym.ts';
import { indexSubjectsBatch, SUBJECT_BATCH } from '../sqlite-subjects.ts';
import { openSqliteBackend } from '../sqlite-store.ts';
import type { SupervisionStore } from '../store.ts';
import { BACKENDS, SUBJECT_KEY, type TestContext } from './harness.ts';

const A = '210102198503152318';
const B = '210102198708201523';

/** `n` access records of `id`, each in its own group commit. */
async function reads(store: SupervisionStore, id: string, n: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const ref = await store.appendAccess({ department: 'population', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name', subject: { kind: 'citizen', id }, args: { fields: ['Citizen.name'], purpose: null } });
    seqs.push(ref.seq);
  }
  return seqs;
}

/** Every seq of `id`'s records, read page by page with cursors, and the total the first page gave. */
async function allOf(store: SupervisionStore, id: string, first = 3): Promise<{ seqs: number[]; total: number }> {
  const seqs: number[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const page = await store.query({ subjectId: id }, { first, after });
    if (total < 0) total = page.totalCount!;
    seqs.push(...page.records.map((r) => r.seq));
    if (!page.pageInfo.hasNextPage) return { seqs, total };
    after = page.pageInfo.endCursor;
  }
}

/** Runs one catch-up batch on a connection of its own, as another process would. */
function catchUp(file: string): number {
  const db = new DatabaseSync(file, { timeout: 5000 });
  try {
    db.exec('BEGIN IMMEDIATE');
    const to = indexSubjectsBatch(db);
    db.exec('COMMIT');
    return to;
  } finally {
    db.close();
  }
}

describe('deferred subject index (SQLite)', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await BACKENDS.find((b) => b.name === 'sqlite')!.create();
  });
  afterEach(async () => ctx.cleanup());

  it('finds a subject\'s records across the watermark, page by page, with the right total', async () => {
    const store = await ctx.open();
    const a1 = await reads(store, A, 4);
    await reads(store, B, 3);
    expect(catchUp(ctx.db)).toBe(7);
    const a2 = await reads(store, A, 3); // after the watermark: found by scanning the tail
    await reads(store, B, 1);
    expect(await allOf(store, A)).toEqual({ seqs: [...a1, ...a2], total: 7 });
    expect((await allOf(store, B)).total).toBe(4);
    // Moving the watermark changes nothing a reader sees.
    expect(catchUp(ctx.db)).toBe(11);
    expect(await allOf(store, A)).toEqual({ seqs: [...a1, ...a2], total: 7 });
    // Other filters still narrow.
    expect((await store.query({ subjectId: A, department: 'medicalInsurance' }, { first: 10 })).totalCount).toBe(0);
    await store.close();
  });

  it('never returns another subject\'s record, even when an index entry points at it', async () => {
    const store = await ctx.open();
    await reads(store, A, 2);
    const [b] = await reads(store, B, 1);
    catchUp(ctx.db);
    // A forged entry: A's key with B's record (or two subjects sharing an 8-byte prefix).
    const key = (await ctx.sql("SELECT subject_key FROM supervision_subjects WHERE seq = 1"))[0]!.subject_key;
    await ctx.sql('INSERT INTO supervision_subjects (subject_key, seq) VALUES (?, ?)', [key, b]);
    expect((await allOf(store, A)).seqs).toEqual([1, 2]);
    await store.close();
  });

  it('a catch-up moves the watermark once and adds each record\'s entry once', async () => {
    const store = await ctx.open();
    await reads(store, A, 3);
    await ctx.sql(`UPDATE supervision_meta SET value = '0' WHERE key = 'subjects_indexed_to'`);
    await ctx.sql('DELETE FROM supervision_subjects');
    expect(SUBJECT_BATCH).toBeGreaterThan(3);
    expect(catchUp(ctx.db)).toBe(3);
    expect(catchUp(ctx.db)).toBe(3); // nothing new: the watermark stays
    expect((await ctx.sql('SELECT count(*) AS n FROM supervision_subjects'))[0]!.n).toBe(3);
    await store.close();
  });

  it('gives a store made before the index its table, drops the old column index, and fills it from the records', async () => {
    let store = await ctx.open();
    const seqs = await reads(store, A, 5);
    await store.close();
    // Make it look like an older store: the column index, no subject table.
    await ctx.sql('DROP TABLE supervision_subjects');
    await ctx.sql("DELETE FROM supervision_meta WHERE key = 'subjects_indexed_to'");
    await ctx.sql(storeDdl('INTEGER', 'column').match(/CREATE INDEX IF NOT EXISTS supervision_records_subject[^;]*;/)![0]);
    // A read-only connection (the verifier's) reads it as it is, through the column index.
    const ro = openSqliteBackend({ path: ctx.db, readOnly: true });
    expect((await ro.query({ subjectHmac: pseudonymOf(A, SUBJECT_KEY, 'sm3').hmac }, 0, 10, true)).records.map((r) => r.seq)).toEqual(seqs);
    await ro.close();
    store = await ctx.open();
    const indexes = (await ctx.sql("SELECT name FROM sqlite_master WHERE type = 'index'")).map((r) => r.name);
    expect(indexes).not.toContain('supervision_records_subject');
    expect(await allOf(store, A)).toEqual({ seqs, total: 5 });
    // The store's own catch-up (its timer) indexes the old records.
    await expect.poll(async () => Number((await ctx.sql("SELECT value FROM supervision_meta WHERE key = 'subjects_indexed_to'"))[0]!.value), { timeout: 5000 }).toBe(5);
    expect(await allOf(store, A)).toEqual({ seqs, total: 5 });
    await store.close();
  });
});
