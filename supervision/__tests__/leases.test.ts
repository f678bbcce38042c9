/**
 * Instances own their intents (leases.ts), on SQLite and PostgreSQL: recovery marks only the open
 * intents of instances whose lease has expired; a live instance's are never touched; a process
 * restarted under its id marks what its predecessor left at once; ownership is outside the hash.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SupervisionStore } from '../index.ts';
import { verifyStore } from '../verify-store.ts';
import { BACKENDS, type TestContext } from './harness.ts';

const intent = (store: SupervisionStore, requestId: string) =>
  store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.updateContactPhone', requestId });

describe.each(BACKENDS)('instance leases ($name)', ({ create }) => {
  let ctx: TestContext;
  const stores: SupervisionStore[] = [];
  const open = async (id?: string, leaseMs = 60_000) => {
    const s = await ctx.open(id ? { instance: { id, department: 'population', leaseMs } } : {});
    stores.push(s);
    return s;
  };
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await ctx.cleanup();
  });

  const outcomes = async () => (await ctx.sql("SELECT intent_seq, outcome FROM supervision_records WHERE kind = 'outcome' ORDER BY seq")).map((r) => [Number(r.intent_seq), r.outcome]);

  it('marks only the open intents of an instance whose lease expired, never a live instance’s', async () => {
    const a = await open('population-1');
    const b = await open('population-2');
    const a1 = await intent(a, 'a-open-1');
    const a2 = await intent(a, 'a-done');
    await a.appendOutcome(a2, { outcome: 'SUCCESS' });
    const b1 = await intent(b, 'b-open-1');
    expect((await ctx.sql('SELECT instance_id FROM supervision_records WHERE seq = ?', [a1.seq]))[0]?.instance_id).toBe('population-1');

    // Both alive: nothing is anyone's to mark.
    expect(await b.recoverUnfinished()).toBe(0);
    expect(await a.recoverUnfinished()).toBe(0);

    // population-1 stops renewing (as a killed process does): its lease runs out.
    await ctx.sql("UPDATE supervision_leases SET expires_at = 0 WHERE instance_id = 'population-1'");
    expect(await b.recoverUnfinished()).toBe(1);
    expect(await outcomes()).toEqual([[a2.seq, 'SUCCESS'], [a1.seq, 'OUTCOME_UNKNOWN']]);
    // b's own open intent is untouched, and its outcome can still be written.
    await b.appendOutcome(b1, { outcome: 'SUCCESS' });
    expect(await b.recoverUnfinished()).toBe(0);
    expect(await verifyStore({ db: ctx.db })).toMatchObject({ ok: true });
  });

  it('marks at once what a previous process under the same id left open, even while its lease has not run out', async () => {
    const first = await open('population-1');
    const other = await open('population-2');
    const left = await intent(first, 'left-open');
    const others = await intent(other, 'other-open');
    // SIGKILL: no clean-up, the lease row still says live. A new process takes the id.
    const restarted = await open('population-1');
    expect(await restarted.recoverUnfinished()).toBe(1);
    const marked = await outcomes();
    expect(marked).toEqual([[left.seq, 'OUTCOME_UNKNOWN']]);
    expect(marked.some(([s]) => s === others.seq)).toBe(false);
  });

  it('marks its own intent that a group committed though the process saw the group fail (the answer to COMMIT lost), and no other', async () => {
    const a = await open('population-1');
    const before = await intent(a, 'before-the-failure');
    // The store commits the group, then the connection "drops" before the answer reaches the process.
    const db = (a as unknown as { db: { appendMany: (...args: unknown[]) => Promise<unknown> } }).db;
    const appendMany = db.appendMany.bind(db);
    db.appendMany = async (...args: unknown[]) => {
      await appendMany(...args);
      throw new Error('Connection terminated unexpectedly');
    };
    await expect(intent(a, 'committed-unacknowledged')).rejects.toMatchObject({ code: 'SUPERVISION_UNAVAILABLE' });
    db.appendMany = appendMany;
    const after = await intent(a, 'after-the-failure');
    const lost = (await ctx.sql("SELECT seq FROM supervision_records WHERE request_id = 'committed-unacknowledged'"))[0];
    expect(lost).toBeDefined();
    // Its lease is live, so only this process can tell: it marks the intent it lost, not its two open ones.
    expect(await a.recoverUnfinished()).toBe(1);
    expect(await outcomes()).toEqual([[Number(lost!.seq), 'OUTCOME_UNKNOWN']]);
    expect(await a.recoverUnfinished()).toBe(0);
    await a.appendOutcome(before, { outcome: 'SUCCESS' });
    await a.appendOutcome(after, { outcome: 'SUCCESS' });
    expect(await verifyStore({ db: ctx.db })).toMatchObject({ ok: true });
  });

  it('ends the lease on a clean close, so another instance recovers at once', async () => {
    const a = await open('population-1');
    const b = await open('population-2');
    const open1 = await intent(a, 'a-open');
    await a.close();
    const leases = await ctx.sql("SELECT instance_id FROM supervision_leases WHERE instance_id = 'population-1'");
    expect(leases).toHaveLength(1);
    expect(await b.recoverUnfinished()).toBe(1);
    expect(await outcomes()).toEqual([[open1.seq, 'OUTCOME_UNKNOWN']]);
  });

  it('recovers intents without an owner (written before leases) by age alone', async () => {
    const lone = await open();
    const old = await intent(lone, 'no-owner');
    const inst = await open('population-1');
    expect(await inst.recoverUnfinished({ olderThanMs: 60_000 })).toBe(0);
    expect(await inst.recoverUnfinished()).toBe(1);
    expect(await outcomes()).toEqual([[old.seq, 'OUTCOME_UNKNOWN']]);
  });

  it('keeps the instance out of the hash: ownership changed by SQL still verifies', async () => {
    const a = await open('population-1');
    const i = await intent(a, 'x');
    await a.appendOutcome(i, { outcome: 'SUCCESS' });
    await ctx.sql("UPDATE supervision_records SET instance_id = 'someone-else'");
    expect(await verifyStore({ db: ctx.db })).toMatchObject({ ok: true, records: 2 });
  });

  it('refuses an instance id that is not a plain name', async () => {
    expect(() => ctx.open({ instance: { id: 'bad id; drop', department: 'population' } })).toThrow(/instance\.id must be 1–128 letters/);
  });
});

describe('SQLite lease renewal', () => {
  it('renews without an fsync of its own and gives the connection back as it was (FULL sync, its busy timeout)', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { sqliteLeases } = await import('../leases.ts');
    const { storeDdl } = await import('../columns.ts');
    const dir = mkdtempSync(join(tmpdir(), 'citygraph-lease-'));
    const db = new DatabaseSync(join(dir, 'supervision.db'), { timeout: 4321 });
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec(storeDdl('INTEGER', 'deferred'));
      const leases = sqliteLeases(db);
      await leases.migrate();
      expect(await leases.renew('population-1', 'population', 'inc-1', 60_000)).toBeNull();
      expect(await leases.renew('population-1', 'population', 'inc-1', 60_000)).toMatchObject({ instanceId: 'population-1', live: true });
      expect(db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
      expect(db.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 4321 });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
