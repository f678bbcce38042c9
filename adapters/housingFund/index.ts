/**
 * Adapter of the housing provident fund (住房公积金) through its front-end exchange database (前置库):
 * parameterised SQL on the fund's published tables, one `IN (…)` statement per batch of keys, the
 * exchange log written for every statement, LegacyCaller's timeout, breaker and limit around each call.
 */
import { randomInt } from 'node:crypto';
import { CityGraphError, ErrorCode, badInput, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import {
  MAX_KEYS_PER_STATEMENT, insertRequest, logged, loggedTransaction, openFundDatabase, selectAccounts, selectAccountsOf, selectByExternalSerial, selectOpenAmounts, selectRequest, updateReview,
} from './client.ts';
import { DEPARTMENT, classifySqlError, housingFundFault } from './faults.ts';
import { ACCOUNT_COLUMNS, REASON_CODE, centsOf, mapAccount, mapWithdrawal, toChinaTime } from './mapper.ts';
import { fromCents, toCents } from './money.ts';
import type { FrontDb, SqlRow, SqlSession } from './sql.ts';
import type { HousingFundAccount, HousingFundAdapter, LoadContext, WithdrawalApplication, WithdrawalRecord, WithdrawalReview } from './types.ts';

export type * from './types.ts';
export type { FrontDb } from './sql.ts';
export { openFundDatabase } from './client.ts';

/** Reasons that close the account (YWMXLX 12): the whole balance is withdrawn. */
const CLOSING = new Set(['RETIREMENT', 'EMIGRATION', 'DEATH']);
/** Reasons the fund checks against its own records; every other one needs a document number. */
const NO_DOCUMENT_NEEDED = new Set(['RETIREMENT']);

/** Options of the adapter; checked once, here. */
export interface HousingFundAdapterOptions {
  /** The front-end database: a SQLite file path or a `postgres://…` URL (`?schema=` names the schema). Required. */
  database: string;
  /** Name written as the consumer (JHF) in the exchange log. Default `citygraph`. */
  consumer?: string;
  /** Write every statement to the exchange log SJJH_RZ, as the fund asks of its consumers. Default true. */
  exchangeLog?: boolean;
  /** Milliseconds before a call is abandoned with ADAPTER_TIMEOUT. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for reads after a lock or a dropped connection. Default 2. */
  retries?: number;
  /** Milliseconds a SQLite statement waits for the fund's lock (it blocks the process meanwhile). Default 200. */
  busyTimeoutMs?: number;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

const KNOWN = ['database', 'consumer', 'exchangeLog', 'timeoutMs', 'retries', 'busyTimeoutMs', 'now'];

/** Opens the front-end database and creates the adapter; throws a TypeError naming a wrong option. */
export async function createHousingFundAdapter(options: HousingFundAdapterOptions): Promise<HousingFundAdapter> {
  if (typeof options !== 'object' || options === null) throw new TypeError('createHousingFundAdapter needs an options object with at least { database }.');
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new TypeError(`createHousingFundAdapter: unknown option(s) ${unknown.join(', ')}; known: ${KNOWN.join(', ')}.`);
  if (typeof options.database !== 'string' || options.database === '') throw new TypeError('createHousingFundAdapter: options.database must be a SQLite file path or a postgres:// URL.');
  const consumer = options.consumer ?? 'citygraph';
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(consumer)) throw new TypeError('createHousingFundAdapter: options.consumer must be 1–32 letters, digits or _ . -');
  const db = await openFundDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  return housingFundAdapterOn(db, { ...options, consumer });
}

/** The adapter over an open database (tests pass their own); `close()` closes it. */
export function housingFundAdapterOn(db: FrontDb, options: Omit<HousingFundAdapterOptions, 'database'> = {}): HousingFundAdapter {
  const consumer = options.consumer ?? 'citygraph';
  const logOn = options.exchangeLog ?? true;
  const now = options.now ?? (() => new Date());
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs, retries: options.retries, concurrency: 4 });
  const read = logged(db, consumer, logOn);
  const inTransaction = <T>(fn: (s: SqlSession) => Promise<T>) => loggedTransaction(db, consumer, logOn, fn);

  async function loadBatch(ids: readonly string[]): Promise<Map<string, HousingFundAccount | null | Error>> {
    const rows = await sql(() => selectAccounts(read, ids));
    const out = new Map<string, HousingFundAccount | null | Error>(ids.map((id) => [id, null]));
    const byAccount = new Map<string, { account: SqlRow; withdrawals: SqlRow[] }>();
    for (const row of rows) {
      const key = String(row.GRZH);
      let entry = byAccount.get(key);
      if (!entry) byAccount.set(key, (entry = { account: row, withdrawals: [] }));
      if (row.W_SQBH !== null && row.W_SQBH !== undefined) {
        entry.withdrawals.push({ SQBH: row.W_SQBH, ZJHM: row.ZJHM, TQYY: row.W_TQYY, FSE: row.W_FSE, YWZT: row.W_YWZT, SQSJ: row.W_SQSJ, SHYJ: row.W_SHYJ });
      }
    }
    for (const { account, withdrawals } of byAccount.values()) {
      const id = String(account.ZJHM);
      if (!out.has(id)) continue;
      try {
        const mapped = mapAccount(pick(account), withdrawals);
        const current = out.get(id);
        // Several accounts under one ID (a merge not yet done): the active one, else the one opened last.
        if (!current || current instanceof Error || better(mapped, current)) out.set(id, mapped);
      } catch (e) {
        // A broken row fails its own person only.
        out.set(id, slotError(e));
      }
    }
    return out;
  }

  return {
    async loadAccounts(ids, ctx) {
      checkContext(ctx, 'loadAccounts');
      if (!Array.isArray(ids)) throw new TypeError('loadAccounts needs an array of resident ID numbers.');
      const distinct = [...new Set(ids)];
      const results = new Map<string, HousingFundAccount | null | Error>();
      for (let i = 0; i < distinct.length; i += MAX_KEYS_PER_STATEMENT) {
        const chunk = distinct.slice(i, i + MAX_KEYS_PER_STATEMENT);
        try {
          const batch = await caller.call(() => loadBatch(chunk), { idempotent: true });
          for (const [k, v] of batch) results.set(k, v);
        } catch (e) {
          for (const k of chunk) results.set(k, slotError(e));
        }
      }
      return ids.map((id) => results.get(id)!);
    },

    async applyWithdrawal(app, ctx) {
      checkContext(ctx, 'applyWithdrawal');
      const reasonCode = REASON_CODE.get(app.reason);
      if (!reasonCode) throw badInput('Unknown withdrawal reason.', 'reason');
      if (!NO_DOCUMENT_NEEDED.has(app.reason) && !app.documentNo) {
        throw badInput('This withdrawal reason needs the number of its supporting document (contract, certificate or diagnosis) in documentNo.', 'documentRequired', { reason: app.reason });
      }
      const amountCents = toCents(app.amount);
      if (amountCents === null || amountCents <= 0n) throw badInput('The amount must be more than 0.00 yuan, with at most two decimals.', 'amount');
      // Never retried: a second attempt is the client's, with the same idempotency key.
      return decided(caller, () => inTransaction(async (tx) => {
        const existing = await selectByExternalSerial(tx, app.citizenId, app.idempotencyKey);
        if (existing.length > 0) return replay(existing[0]!, app, reasonCode);
        const account = chooseAccount(await selectAccountsOf(tx, app.citizenId));
        if (!account) throw new CityGraphError(ErrorCode.NOT_FOUND, 'This citizen has no housing fund account.', { department: DEPARTMENT });
        const status = String(account.GRZHZT);
        if (status === '06') throw badInput('The housing fund account is frozen (冻结); no withdrawal is possible until the fund lifts the freeze. Ask at a fund counter.', 'accountFrozen');
        if (status === '02') throw badInput('The housing fund account is sealed (封存), as after leaving an employer; withdrawals from a sealed account are made at a fund counter.', 'accountSealed');
        if (status !== '01') throw badInput('The housing fund account is closed; there is nothing to withdraw.', 'accountClosed');
        const balance = centsOf(account.GRZHYE, 'GRZHXX.GRZHYE');
        let open = 0n;
        for (const r of await selectOpenAmounts(tx, String(account.GRZH))) open += centsOf(r.FSE, 'GRTQSQ.FSE');
        const available = balance - open;
        if (amountCents > available) {
          throw badInput(`The amount exceeds what can be withdrawn: ${fromCents(available > 0n ? available : 0n)} yuan (the balance less requests still open).`, 'amountExceedsBalance', {
            available: fromCents(available > 0n ? available : 0n),
          });
        }
        const closing = CLOSING.has(app.reason);
        if (closing && amountCents !== available) {
          throw badInput(`A withdrawal for this reason closes the account, so it takes the whole available balance: ${fromCents(available)} yuan.`, 'closingAmount', { available: fromCents(available) });
        }
        const row = {
          SQBH: requestNo(now()),
          GRZH: String(account.GRZH),
          ZJHM: app.citizenId,
          TQYY: reasonCode,
          TQFS: '01', // 01: transfer to the holder's own bank account
          YWMXLX: closing ? '12' : '11',
          FSE: fromCents(amountCents),
          GRCKZHHM: app.bankAccount,
          HuMing: app.bankAccountName,
          GRCKZHKHYHMC: app.bankName,
          ZMWJBH: app.documentNo,
          YWZT: '02',
          SQSJ: toChinaTime(now()),
          WBLSH: app.idempotencyKey,
        };
        if (!sameName(app.bankAccountName, String(account.XINGMING))) {
          throw badInput('The bank account must be in the account holder\'s own name (户名 as on the fund account).', 'bankAccountName');
        }
        const { changes } = await insertRequest(tx, row);
        // Zero rows: a concurrent request with the same key won the unique constraint; answer with it.
        const stored = changes === 1 ? row : (await selectByExternalSerial(tx, app.citizenId, app.idempotencyKey))[0];
        if (!stored) throw housingFundFault({ kind: 'badRow', reason: 'GRTQSQ: the request vanished after its insert' });
        return changes === 1 ? mapWithdrawal({ ...row, SHYJ: null }) : replay(stored, app, reasonCode);
      }));
    },

    async reviewWithdrawal(review: WithdrawalReview, ctx) {
      checkContext(ctx, 'reviewWithdrawal');
      return decided(caller, () => inTransaction(async (tx) => {
        const [before] = await selectRequest(tx, review.requestNo);
        if (!before) throw new CityGraphError(ErrorCode.NOT_FOUND, 'No withdrawal request has this number.', { department: DEPARTMENT });
        const at = toChinaTime(now());
        const status = review.approve ? '03' : '05';
        const { changes } = await updateReview(tx, review.requestNo, status, review.reviewer, at, review.note);
        if (changes !== 1) {
          throw badInput('This withdrawal request is no longer waiting for review; it was reviewed already or withdrawn.', 'notUnderReview', { status: mapWithdrawal(before).status });
        }
        return mapWithdrawal({ ...before, YWZT: status, SHYJ: review.note });
      }));
    },

    close: () => db.close(),
  };
}

/** The stored request for a repeated key: the same request when the arguments match, an error otherwise. */
function replay(row: SqlRow, app: WithdrawalApplication, reasonCode: string): WithdrawalRecord {
  const same = row.TQYY === reasonCode && toCents(row.FSE) === toCents(app.amount) && row.GRCKZHHM === app.bankAccount
    && row.HUMING === app.bankAccountName && row.GRCKZHKHYHMC === app.bankName && (row.ZMWJBH ?? null) === (app.documentNo ?? null);
  if (!same) {
    throw badInput('This idempotency key was already used for a different withdrawal request; use a new key for a new request.', 'idempotencyKeyReused');
  }
  return mapWithdrawal(row);
}

/**
 * Runs a change once (never retried: a second attempt is the client's, with the same idempotency key).
 * A refusal on the fund's rules (BAD_USER_INPUT, NOT_FOUND) is an answer, so it leaves the breaker alone.
 */
async function decided<T>(caller: LegacyCaller, fn: () => Promise<T>): Promise<T> {
  const outcome = await caller.call(async () => {
    try {
      return { value: await sql(fn) };
    } catch (e) {
      if (isCityGraphError(e) && (e.code === ErrorCode.BAD_USER_INPUT || e.code === ErrorCode.NOT_FOUND)) return { refused: e };
      throw e;
    }
  }, { idempotent: false });
  if ('refused' in outcome) throw outcome.refused;
  return outcome.value;
}

/** Runs SQL, turning driver errors into coded ones. */
async function sql<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isCityGraphError(e)) throw e;
    throw housingFundFault(classifySqlError(e));
  }
}

function chooseAccount(rows: SqlRow[]): SqlRow | undefined {
  return [...rows].sort((a, b) => rankOf(b).localeCompare(rankOf(a)))[0];
}

function rankOf(r: SqlRow): string {
  return `${r.GRZHZT === '01' ? 1 : 0}${String(r.KHRQ)}`;
}

function better(a: HousingFundAccount, b: HousingFundAccount): boolean {
  return `${a.status === 'ACTIVE' ? 1 : 0}${a.openedOn}` > `${b.status === 'ACTIVE' ? 1 : 0}${b.openedOn}`;
}

/** Only the account columns, so the withdrawal columns of the join never reach the account mapper. */
function pick(row: SqlRow): SqlRow {
  return Object.fromEntries(ACCOUNT_COLUMNS.map((c) => [c.toUpperCase(), row[c.toUpperCase()]]));
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').replace(/[.\u00B7\u2022\u30FB]/g, '·');
  return norm(a) === norm(b);
}

/** `TQ` + China date + 8 random digits: unique enough that a collision fails the insert (never overwrites). */
function requestNo(at: Date): string {
  return `TQ${toChinaTime(at).slice(0, 10).replaceAll('-', '')}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

function checkContext(ctx: LoadContext, fn: string): void {
  if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') throw new TypeError(`${fn} needs ctx.requestId.`);
}

function slotError(e: unknown): Error {
  if (isCityGraphError(e)) return e;
  return new CityGraphError(ErrorCode.INTERNAL, 'Internal error in the housing fund adapter.', { department: DEPARTMENT, cause: e });
}
