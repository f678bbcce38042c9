/** A store that is full or gone: the append fails closed, nothing is half-written, the process stays up. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { openSupervisionStore } from '../index.ts';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, seed, SUBJECT_KEY, type TestContext } from './harness.ts';

const intent = { department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' } as const;

describe.each(BACKENDS)('a failing $name store', ({ name, create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('fails closed when the disk is full and keeps every earlier record intact', async () => {
    const store = await ctx.open();
    await seed(store, 2);
    if (name === 'sqlite') {
      // No page may be added: the next insert meets SQLITE_FULL, as on a full disk.
      const [{ page_count }] = (await ctx.sql('PRAGMA page_count')) as [{ page_count: number }];
      await store.close();
      const full = await ctx.open({ sqlitePragmas: [`max_page_count = ${page_count}`] });
      await expect(full.appendIntent({ ...intent, args: { pad: 'x'.repeat(8000) } })).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
      await full.close();
    } else {
      // PostgreSQL reports a full disk as SQLSTATE 53100; a trigger raises exactly that.
      await ctx.sql(`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$`);
      await ctx.sql('CREATE TRIGGER full_disk BEFORE INSERT ON supervision_records FOR EACH ROW EXECUTE FUNCTION disk_full()');
      await expect(store.appendIntent(intent)).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
      await ctx.sql('DROP TRIGGER full_disk ON supervision_records');
      await store.close();
    }
    const result = await verifyStore({ db: ctx.db });
    expect(result.ok).toBe(true);
    expect(result.records).toBe(4);
  });

  it('fails closed when the database is gone while the store is open', async () => {
    const store = await ctx.open();
    await seed(store, 1);
    if (name === 'sqlite') {
      await ctx.sql('DROP TABLE supervision_records');
    } else {
      await ctx.sql('DROP TABLE supervision_records CASCADE');
    }
    await expect(store.appendIntent(intent)).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    await store.close();
  });

  it('rejects opening a store that cannot be reached with SUPERVISION_UNAVAILABLE, not a crash', async () => {
    // A SQLite path below a regular file can never be created (ENOTDIR); nothing listens on port 1.
    const blocker = join(ctx.dataDir, 'not-a-folder');
    writeFileSync(blocker, '');
    const url = name === 'sqlite' ? join(blocker, 'supervision.db') : 'postgres://postgres@127.0.0.1:1/test';
    await expect(openSupervisionStore({ url, dataDir: ctx.dataDir, subjectKey: SUBJECT_KEY })).rejects.toMatchObject({
      code: ErrorCode.SUPERVISION_UNAVAILABLE,
    });
  });
});
