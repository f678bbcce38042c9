/**
 * Group commit: concurrent appends share one transaction, are acknowledged only once it is durable,
 * keep every chain gap-free, and all fail together when their transaction fails.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import type { SupervisionStore } from '../store.ts';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, type TestContext } from './harness.ts';

const departments = ['population', 'parking', 'medicalInsurance'];

async function allRecords(store: SupervisionStore) {
  const records = [];
  for (let after: string | null = null; ; ) {
    const page = await store.query({}, { first: 100, after });
    records.push(...page.records);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return records;
}

describe.each(BACKENDS)('group commit on $name', ({ name, create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('keeps one gap-free sequence and gap-free, verifying chains under concurrent writers of several stores', async () => {
    const stores = await Promise.all([ctx.open(), ctx.open(), ctx.open()]);
    const refs = await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: 12 }, async (_, w) => {
          const mine = [];
          for (let i = 0; i < 5; i++) {
            const department = departments[(s + w + i) % departments.length]!;
            const intent = await store.appendIntent({ department, actor: { role: 'app', client: `store-${s}` }, field: 'Mutation.updateContactPhone', requestId: `${s}-${w}-${i}` });
            const outcome = await store.appendOutcome(intent, { outcome: 'SUCCESS' });
            mine.push({ intent, outcome });
          }
          return mine;
        }),
      ),
    );
    const rows = await ctx.sql('SELECT seq, department, dept_seq, kind, intent_seq FROM supervision_records ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 3 * 12 * 5 * 2 }, (_, i) => i + 1));
    for (const d of departments) {
      const chain = rows.filter((r) => r.department === d).map((r) => Number(r.dept_seq));
      expect(chain.length).toBeGreaterThan(0);
      expect(chain).toEqual(Array.from({ length: chain.length }, (_, i) => i + 1));
    }
    // Every acknowledged reference is the stored record, and each outcome closes its own intent.
    for (const { intent, outcome } of refs.flat()) {
      expect(rows.find((r) => Number(r.seq) === outcome.seq)?.intent_seq).toEqual(name === 'postgres' ? String(intent.seq) : intent.seq);
    }
    await stores[0]!.checkpoint();
    await Promise.all(stores.map((s) => s.close()));
    expect(await verifyStore({ db: ctx.db })).toMatchObject({ ok: true, records: 360 });
  });

  it('keeps one valid sequence with two writer processes on the same departments', async () => {
    // The schema and the signing key exist before the two processes start (they would race to create the key file).
    await (await ctx.open()).close();
    const writers = [0, 1].map(() =>
      spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'append-forever.ts'), ctx.db, ctx.dataDir], {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const acked = writers.map(() => new Set<number>());
    await Promise.all(
      writers.map(
        (child, w) =>
          new Promise<void>((resolve) => {
            let buffer = '';
            child.stdout.on('data', (chunk: Buffer) => {
              buffer += chunk.toString();
              const lines = buffer.split('\n');
              buffer = lines.pop() ?? '';
              for (const line of lines) {
                const [kind, a, b] = line.split(' ');
                acked[w]!.add(Number(kind === 'outcome' ? b : a));
              }
              if (acked[w]!.size >= 80) resolve();
            });
          }),
      ),
    );
    for (const child of writers) child.kill('SIGKILL');
    await Promise.all(writers.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    const rows = await ctx.sql('SELECT seq, department, dept_seq FROM supervision_records ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    for (const d of ['population', 'parking']) {
      const chain = rows.filter((r) => r.department === d).map((r) => Number(r.dept_seq));
      expect(chain).toEqual(Array.from({ length: chain.length }, (_, i) => i + 1));
    }
    // Both processes wrote, and every record either acknowledged is stored once.
    const stored = new Set(rows.map((r) => Number(r.seq)));
    for (const mine of acked) for (const seq of mine) expect(stored.has(seq)).toBe(true);
    expect([...acked[0]!].filter((s) => acked[1]!.has(s))).toEqual([]);
    const store = await ctx.open();
    await store.recoverUnfinished();
    await store.checkpoint();
    await store.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });

  it('refuses a second outcome of one intent within the same group, and only that append', async () => {
    const store = await ctx.open();
    const intent = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    const other = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    // Same turn of the event loop: one group, one transaction.
    const settled = await Promise.allSettled([
      store.appendOutcome(intent, { outcome: 'SUCCESS' }),
      store.appendOutcome(intent, { outcome: 'ERROR', errorCode: 'LEGACY_ERROR' }),
      store.appendOutcome(other, { outcome: 'SUCCESS' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    expect((await allRecords(store)).map((r) => [r.seq, r.deptSeq, r.kind])).toEqual([[1, 1, 'intent'], [2, 2, 'intent'], [3, 3, 'outcome'], [4, 4, 'outcome']]);
    await store.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });

  it('rejects every append of a group whose transaction fails, acknowledging none and writing none', async () => {
    const store = await ctx.open();
    const before = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    if (name === 'sqlite') {
      await ctx.sql("CREATE TRIGGER poison BEFORE INSERT ON supervision_records WHEN NEW.field = 'Mutation.poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
    } else {
      await ctx.sql(`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.field = 'Mutation.poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`);
      await ctx.sql('CREATE TRIGGER poison BEFORE INSERT ON supervision_records FOR EACH ROW EXECUTE FUNCTION poison()');
    }
    // One turn: an outcome, an access and intents of two departments share the group with the poisoned one.
    const acknowledged: number[] = [];
    const appends = [
      store.appendOutcome(before, { outcome: 'SUCCESS' }),
      store.appendIntent({ department: 'parking', actor: { role: 'citizen' }, field: 'Mutation.y' }),
      store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.poison' }),
      store.appendAccess({ department: 'population', actor: { role: 'auditor' }, field: 'Query.mutationLog' }),
      store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.z' }),
    ].map((p) => p.then((r) => (acknowledged.push(r.seq), r)));
    const settled = await Promise.allSettled(appends);
    expect(acknowledged).toEqual([]);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    }
    expect((await ctx.sql('SELECT seq FROM supervision_records')).map((r) => Number(r.seq))).toEqual([1]);
    // The store goes on: the next group commits, gap-free after the failed one.
    await ctx.sql(name === 'sqlite' ? 'DROP TRIGGER poison' : 'DROP TRIGGER poison ON supervision_records');
    const after = await store.appendOutcome(before, { outcome: 'SUCCESS' });
    expect(after.seq).toBe(2);
    await store.close();
    expect(await verifyStore({ db: ctx.db })).toMatchObject({ ok: true, records: 2 });
  });

  it('loses no acknowledged or committed record when killed with SIGKILL between commit and acknowledgement', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'commit-then-hang.ts'), ctx.db, ctx.dataDir], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Set<number>();
    const groups: number[][] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the writer exited by itself (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [kind, a] = line.split(' ');
          if (kind === 'ack') acked.add(Number(a));
          if (kind === 'committed') groups.push(a ? a.split(',').map(Number) : []);
          if (kind === 'hang') {
            child.removeAllListeners('exit');
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(groups.length).toBe(5);
    const inFlight = groups[4]!;
    // The window was hit: the last group was durable and none of it acknowledged.
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((s) => acked.has(s))).toEqual([]);
    // Concurrent appends really shared transactions.
    expect(Math.max(...groups.map((g) => g.length))).toBeGreaterThan(1);

    const store = await ctx.open();
    const stored = new Set((await allRecords(store)).map((r) => r.seq));
    for (const seq of acked) expect(stored.has(seq)).toBe(true);
    for (const seq of groups.flat()) expect(stored.has(seq)).toBe(true);
    expect(stored.size).toBe(groups.flat().length);
    // The intents the kill left open are marked, and the log verifies.
    await store.recoverUnfinished();
    const records = await allRecords(store);
    const intents = records.filter((r) => r.kind === 'intent').map((r) => r.seq);
    expect(records.filter((r) => r.kind === 'outcome').map((r) => r.intentSeq).sort((a, b) => a! - b!)).toEqual(intents);
    await store.close();
    expect((await verifyStore({ db: ctx.db })).ok).toBe(true);
  });
});
