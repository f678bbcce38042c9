/**
 * The housing fund adapter over the fund's real tables: the same suite on a SQLite file and on
 * PostgreSQL (its own schema in database `test`), seeded by the stand-in's own seeding code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { housingFundAdapterOn, type HousingFundAccount, type HousingFundAdapter, type WithdrawalApplication } from '../index.ts';
import { openFundDatabase } from '../client.ts';
import { openPostgresFrontDb, openSqliteFrontDb, type FrontDb } from '../sql.ts';
import { TEXT_AMOUNT, seedFrontDb, type FundSamples } from '../standin/index.ts';

const PG_URL = process.env.HOUSING_FUND_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ctx = { requestId: 'test-request-0001' };

interface Backend {
  name: string;
  /** What another process would open: the file path or the URL. */
  location: string;
  open(): Promise<FrontDb>;
  /** Holds an exclusive lock on the fund's tables until the returned function is called. */
  lock(): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

function sqlite(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'citygraph-fund-'));
  const file = join(dir, 'front.sqlite');
  return {
    name: 'SQLite',
    location: file,
    open: () => openFundDatabase(file, { busyTimeoutMs: 50 }),
    async lock() {
      const holder = await openSqliteFrontDb(file);
      await holder.exec('BEGIN EXCLUSIVE');
      return async () => {
        await holder.exec('ROLLBACK');
        await holder.close();
      };
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgres(): Backend {
  // Its own schema, so it never meets the supervision store's tests in the same database.
  const schema = `cg_fund_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  let connected: Promise<void> | null = null;
  const ready = () => (connected ??= admin.connect().then(() => admin.query(`CREATE SCHEMA ${schema}`)).then(() => undefined));
  return {
    name: 'PostgreSQL',
    location: `${PG_URL}?schema=${schema}`,
    async open() {
      await ready();
      return openPostgresFrontDb(`${PG_URL}?schema=${schema}`, { lockTimeoutMs: 200 });
    },
    async lock() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query('BEGIN');
      await c.query(`LOCK TABLE ${schema}.grzhxx, ${schema}.grtqsq IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await c.query('ROLLBACK');
        await c.end();
      };
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

function codeOf(e: unknown): { code?: string; rule?: unknown } {
  const err = e as { code?: string; details?: { rule?: unknown } };
  return { code: err?.code, rule: err?.details?.rule };
}

async function refusal(p: Promise<unknown>): Promise<{ code?: string; rule?: unknown }> {
  try {
    await p;
  } catch (e) {
    return codeOf(e);
  }
  throw new Error('expected a refusal');
}

describe.each([['SQLite', sqlite], ['PostgreSQL', postgres]])('housing fund adapter on %s', (_name, make) => {
  let backend: Backend;
  let db: FrontDb;
  let adapter: HousingFundAdapter;
  let samples: FundSamples;
  const statements = async () => Number((await db.all('SELECT COUNT(*) AS N FROM SJJH_RZ'))[0]!.N);
  const requestsOf = async (id: string) => Number((await db.all('SELECT COUNT(*) AS N FROM GRTQSQ WHERE ZJHM = ?', [id]))[0]!.N);
  const application = (over: Partial<WithdrawalApplication> = {}): WithdrawalApplication => ({
    citizenId: DEMO_CITIZEN_ID, reason: 'RENT', amount: '1000.00', bankAccount: '6222021234567890123', bankAccountName: '王立军',
    bankName: '中国工商银行沈阳和平支行', documentNo: 'ZL-2026-0001', idempotencyKey: `key-${Math.random().toString(36).slice(2)}`, ...over,
  });

  beforeAll(async () => {
    backend = make();
    db = await backend.open();
    samples = await seedFrontDb(db, { citizens: 300 });
    adapter = housingFundAdapterOn(db, { retries: 0, timeoutMs: 3000 });
  }, 60_000);
  afterAll(async () => {
    await adapter?.close();
    await backend?.cleanup();
  });

  it('reads the demo citizen\'s account exactly, amounts as decimal text, with the withdrawals, in one statement', async () => {
    const before = await statements();
    const [demo] = await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx);
    expect(await statements()).toBe(before + 1);
    expect(demo).toMatchObject({
      accountNo: '210100000001', balance: '86420.35', carriedOver: '80180.35', depositedThisYear: '6240.00', depositBase: '6500.00',
      personalRate: '0.12', employerRate: '0.12', paidUpTo: '2026-04', status: 'ACTIVE', openedOn: '2008-07-01',
    });
    expect((demo as HousingFundAccount).withdrawals[0]).toMatchObject({ requestNo: 'TQ2024052000000001', reason: 'RENT', amount: '12000.00', status: 'PAID', submittedAt: '2024-05-20T02:31:02.000Z' });
  });

  it('answers a batch with one IN (…) statement per 100 people, in key order, null for someone without an account', async () => {
    const ids = (await db.all('SELECT ZJHM FROM GRZHXX ORDER BY GRZH')).map((r) => String(r.ZJHM)).slice(0, 150);
    const keys = [samples.none, ...ids, DEMO_CITIZEN_ID];
    const before = await statements();
    const slots = await adapter.loadAccounts(keys, ctx);
    // 151 distinct people (the demo citizen is among the ids): two statements.
    expect(await statements()).toBe(before + 2);
    expect(slots).toHaveLength(keys.length);
    expect(slots[0]).toBeNull();
    expect(slots.slice(1).every((s) => s !== null && !(s instanceof Error))).toBe(true);
    expect(slots.map((s) => (s as HousingFundAccount | null)?.citizenId ?? null)).toEqual([null, ...ids, DEMO_CITIZEN_ID]);
  });

  it('shows the frozen and the sealed accounts with their status', async () => {
    const [frozen, sealed] = (await adapter.loadAccounts([samples.frozen, samples.sealed], ctx)) as HousingFundAccount[];
    expect([frozen!.status, sealed!.status]).toEqual(['FROZEN', 'SEALED']);
  });

  it('inserts a withdrawal request for review and shows it on the account', async () => {
    const w = await adapter.applyWithdrawal(application({ amount: '2500.50' }), ctx);
    expect(w).toMatchObject({ reason: 'RENT', amount: '2500.50', status: 'PENDING_REVIEW', reviewNote: null });
    expect(w.requestNo).toMatch(/^TQ\d{16}$/);
    const [row] = await db.all('SELECT TQYY, YWMXLX, FSE, YWZT, TQFS FROM GRTQSQ WHERE SQBH = ?', [w.requestNo]);
    expect(row).toEqual({ TQYY: '07', YWMXLX: '11', FSE: '2500.50', YWZT: '02', TQFS: '01' });
    const [demo] = (await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx)) as HousingFundAccount[];
    expect(demo!.withdrawals.map((x) => x.requestNo)).toContain(w.requestNo);
  });

  it('leaves one request for concurrent duplicates with one idempotency key, enforced by the table\'s unique constraint', async () => {
    const app = application({ idempotencyKey: 'dup-key-0001' });
    const before = await requestsOf(DEMO_CITIZEN_ID);
    const results = await Promise.all(Array.from({ length: 6 }, () => adapter.applyWithdrawal(app, ctx)));
    expect(new Set(results.map((r) => r.requestNo)).size).toBe(1);
    expect(await requestsOf(DEMO_CITIZEN_ID)).toBe(before + 1);
    expect(await refusal(adapter.applyWithdrawal({ ...app, amount: '1.00' }, ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'idempotencyKeyReused' });
    expect(await requestsOf(DEMO_CITIZEN_ID)).toBe(before + 1);
  });

  it('leaves one request when separate processes (subgraph instances) send one key at the same moment', async () => {
    const key = `proc-key-${process.pid}`;
    const before = await requestsOf(DEMO_CITIZEN_ID);
    const entry = new URL('apply-once.ts', import.meta.url).pathname;
    const run = () => new Promise<{ requestNo?: string; code?: string }>((resolve, reject) => {
      execFile(process.execPath, [entry, backend.location, key], { timeout: 30_000 }, (e, stdout) => (e ? reject(e) : resolve(JSON.parse(stdout))));
    });
    const answers = await Promise.all([run(), run(), run()]);
    expect(answers.every((a) => typeof a.requestNo === 'string'), JSON.stringify(answers)).toBe(true);
    expect(new Set(answers.map((a) => a.requestNo)).size).toBe(1);
    expect(await requestsOf(DEMO_CITIZEN_ID)).toBe(before + 1);
  }, 60_000);

  it('refuses frozen and sealed accounts, amounts over the balance less open requests, a missing document and a stranger\'s bank account, writing nothing', async () => {
    const rows = async () => Number((await db.all('SELECT COUNT(*) AS N FROM GRTQSQ'))[0]!.N);
    const before = await rows();
    const [frozenAccount] = (await adapter.loadAccounts([samples.frozen], ctx)) as HousingFundAccount[];
    const frozenName = String((await db.all('SELECT Xingming FROM GRZHXX WHERE ZJHM = ?', [samples.frozen]))[0]!.XINGMING);
    expect(frozenAccount).toBeTruthy();
    expect(await refusal(adapter.applyWithdrawal(application({ citizenId: samples.frozen, bankAccountName: frozenName }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'accountFrozen' });
    expect(await refusal(adapter.applyWithdrawal(application({ citizenId: samples.sealed }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'accountSealed' });
    expect(await refusal(adapter.applyWithdrawal(application({ citizenId: samples.none }), ctx))).toEqual({ code: 'NOT_FOUND', rule: undefined });
    // 86420.35 less the open requests of the tests above is below 86000.
    expect(await refusal(adapter.applyWithdrawal(application({ amount: '86000.00' }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'amountExceedsBalance' });
    expect(await refusal(adapter.applyWithdrawal(application({ reason: 'HOME_PURCHASE', documentNo: null }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'documentRequired' });
    expect(await refusal(adapter.applyWithdrawal(application({ bankAccountName: '李四' }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'bankAccountName' });
    expect(await refusal(adapter.applyWithdrawal(application({ reason: 'RETIREMENT', documentNo: null, amount: '10.00' }), ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'closingAmount' });
    expect(await rows()).toBe(before);
    // Refusals are answers: the breaker stays closed and the next request goes through.
    expect((await adapter.applyWithdrawal(application({ amount: '1.00' }), ctx)).status).toBe('PENDING_REVIEW');
  });

  it('moves a request on once when staff review it, and refuses a second review and an unknown number', async () => {
    const w = await adapter.applyWithdrawal(application({ amount: '300.00' }), ctx);
    const approved = await adapter.reviewWithdrawal({ requestNo: w.requestNo, approve: true, note: '材料齐全', reviewer: 'clerk-1' }, ctx);
    expect(approved).toMatchObject({ requestNo: w.requestNo, status: 'PENDING_PAYMENT', reviewNote: '材料齐全' });
    const [row] = await db.all('SELECT YWZT, SHR FROM GRTQSQ WHERE SQBH = ?', [w.requestNo]);
    expect(row).toEqual({ YWZT: '03', SHR: 'clerk-1' });
    expect(await refusal(adapter.reviewWithdrawal({ requestNo: w.requestNo, approve: false, note: null, reviewer: 'clerk-2' }, ctx))).toEqual({ code: 'BAD_USER_INPUT', rule: 'notUnderReview' });
    expect(await refusal(adapter.reviewWithdrawal({ requestNo: 'TQ2099010100000000', approve: true, note: null, reviewer: 'clerk-1' }, ctx))).toEqual({ code: 'NOT_FOUND', rule: undefined });
  });

  it('fails only the person whose amount column holds text, and writes nothing for them', async () => {
    const [{ GRZHYE: original }] = (await db.all('SELECT GRZHYE FROM GRZHXX WHERE ZJHM = ?', [DEMO_CITIZEN_ID])) as [{ GRZHYE: string }];
    await db.run('UPDATE GRZHXX SET GRZHYE = ? WHERE ZJHM = ?', [TEXT_AMOUNT, DEMO_CITIZEN_ID]);
    try {
      const [demo, sealed] = await adapter.loadAccounts([DEMO_CITIZEN_ID, samples.sealed], ctx);
      expect(codeOf(demo)).toEqual({ code: 'ADAPTER_BAD_REPLY', rule: undefined });
      expect((demo as Error).message).not.toContain(TEXT_AMOUNT);
      expect((sealed as HousingFundAccount).status).toBe('SEALED');
      const before = await requestsOf(DEMO_CITIZEN_ID);
      expect(await refusal(adapter.applyWithdrawal(application(), ctx))).toEqual({ code: 'ADAPTER_BAD_REPLY', rule: undefined });
      expect(await requestsOf(DEMO_CITIZEN_ID)).toBe(before);
    } finally {
      await db.run('UPDATE GRZHXX SET GRZHYE = ? WHERE ZJHM = ?', [original, DEMO_CITIZEN_ID]);
    }
  });

  it('answers ADAPTER_UNAVAILABLE (locked) while the fund locks its tables, and reads again once it lets go', async () => {
    const unlock = await backend.lock();
    try {
      const [slot] = await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx);
      expect(codeOf(slot).code).toBe('ADAPTER_UNAVAILABLE');
      expect((slot as { details?: { reason?: string } }).details?.reason).toBe('locked');
      expect(codeOf(await refusal(adapter.applyWithdrawal(application(), ctx))).code).toBe('ADAPTER_UNAVAILABLE');
    } finally {
      await unlock();
    }
    const [demo] = await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx);
    expect((demo as HousingFundAccount).balance).toBe('86420.35');
  });
});
