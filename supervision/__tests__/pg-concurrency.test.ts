import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { draftIntent } from '../draft.ts';
import { openBackend } from '../open-backend.ts';
import { sealRecord, type ChainPosition, type RecordDraft, type SupervisionRecord } from '../record.ts';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, SUBJECT_KEY, type TestContext } from './harness.ts';

describe('several PostgreSQL store instances appending at once', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await BACKENDS.find((b) => b.name === 'postgres')!.create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('produce one gap-free sequence and one valid chain per department', async () => {
    const stores = await Promise.all([ctx.open(), ctx.open(), ctx.open()]);
    const writes = stores.flatMap((store, s) =>
      Array.from({ length: 40 }, async (_, i) => {
        const department = i % 4 === 0 ? 'parking' : 'population';
        const intent = await store.appendIntent({ department, actor: { role: 'app', client: `instance-${s}` }, field: 'Mutation.updateContactPhone', requestId: `${s}-${i}` });
        await store.appendOutcome(intent, { outcome: 'SUCCESS' });
      }),
    );
    await Promise.all(writes);
    await stores[0]!.checkpoint();
    const rows = await ctx.sql('SELECT seq, department, dept_seq FROM supervision_records ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    for (const d of ['population', 'parking']) {
      const chain = rows.filter((r) => r.department === d).map((r) => Number(r.dept_seq));
      expect(chain).toEqual(Array.from({ length: chain.length }, (_, i) => i + 1));
    }
    const result = await verifyStore({ db: ctx.db });
    expect(result).toMatchObject({ ok: true, records: 240 });
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe("the PostgreSQL backend's group commit", () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await BACKENDS.find((b) => b.name === 'postgres')!.create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('takes a chain name as data in its one-round-trip opening, quotes and backslashes included', async () => {
    await (await ctx.open()).close(); // the schema
    const db = openBackend(ctx.db);
    const hash = (await db.readHashAlgorithm())!;
    const o = { hash, subjectKey: SUBJECT_KEY, maxArgsBytes: 65536 };
    const odd = "x'); DROP TABLE supervision_records; --\\";
    const seal = (d: RecordDraft, p: ChainPosition) => sealRecord(d, p, hash);
    try {
      const draft = (department: string) => ({ ...draftIntent({ department: 'population', actor: { role: 'admin' }, field: 'Mutation.x' }, 'PENDING', null, o), department });
      const [first] = (await db.appendMany([{ draft: draft(odd) }], seal)) as SupervisionRecord[];
      const [second] = (await db.appendMany([{ draft: draft(odd) }, { draft: draft('population') }], seal)) as SupervisionRecord[];
      expect([first!.deptSeq, second!.deptSeq, second!.prevHash]).toEqual([1, 2, first!.hash]);
      const rows = await ctx.sql('SELECT department, dept_seq FROM supervision_records ORDER BY seq');
      expect(rows.map((r) => [r.department, Number(r.dept_seq)])).toEqual([[odd, 1], [odd, 2], ['population', 1]]);
    } finally {
      await db.close();
    }
  });
});
