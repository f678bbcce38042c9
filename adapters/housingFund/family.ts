/**
 * Family-member records on a housing-fund account (家庭成员信息登记, matter GJ0306), the fund's part of the
 * newborn bundle: the fund's table `GRJTCY` in its front-end database (table and columns invented in the
 * shape of the fund's others: `YHZGX` relation 20 = 子女, status `ZT` 01 有效 / 02 撤销). A record is undone
 * by the fund's own operation, revocation (`ZT` 02), never by deleting the row. Each change is one
 * transaction keyed by the consumer's serial number (the idempotency key): a retry finds its first answer.
 */
import { randomInt } from 'node:crypto';
import { CityGraphError, ErrorCode, badInput, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { loggedTransaction, openFundDatabase, selectAccountsOf } from './client.ts';
import { DEPARTMENT, classifySqlError, housingFundFault } from './faults.ts';
import { toChinaTime } from './mapper.ts';
import type { FrontDb, SqlRow } from './sql.ts';

/** Relation codes of the fund's family table. */
const RELATION_CODE = { CHILD: '20' } as const;
/** Account statuses that mean the account is gone: 03 合并销户, 04 外部转出销户, 05 提取销户. */
const CLOSED = new Set(['03', '04', '05']);

/** Family records of the fund, in the words the bundle uses. */
export interface HousingFundFamilyRecordsAdapter {
  /** True when the citizen holds an account that is not closed. */
  hasAccount(citizenId: string, ctx: { requestId: string }): Promise<boolean>;
  /** Records `memberId` as the holder's child on the holder's account; the same key answers the first record again. */
  addFamilyMember(input: { holderId: string; memberId: string; memberName: string; relation: 'CHILD' }, ctx: { requestId: string; idempotencyKey: string }): Promise<{ recordId: string }>;
  /** Revokes a record (the fund's own undo); revoking one already revoked changes nothing. */
  removeFamilyMember(recordId: string, ctx: { requestId: string; idempotencyKey: string }): Promise<void>;
  close(): Promise<void>;
}

/** Opens the fund's front-end database (SQLite file or `postgres://…`) for family records. */
export async function createHousingFundFamilyRecords(options: { database: string; consumer?: string; timeoutMs?: number; now?: () => Date }): Promise<HousingFundFamilyRecordsAdapter> {
  if (typeof options?.database !== 'string' || options.database === '') throw new TypeError('createHousingFundFamilyRecords: options.database must be a SQLite file path or a postgres:// URL.');
  return familyRecordsOn(await openFundDatabase(options.database), options);
}

/** The same over an open database (tests pass their own). */
export function familyRecordsOn(db: FrontDb, options: { consumer?: string; timeoutMs?: number; now?: () => Date } = {}): HousingFundFamilyRecordsAdapter {
  const consumer = options.consumer ?? 'citygraph';
  const now = options.now ?? (() => new Date());
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs, retries: 1, concurrency: 2 });
  const tx = <T>(fn: Parameters<typeof loggedTransaction<T>>[3]) => loggedTransaction(db, consumer, true, fn);
  const sql = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (isCityGraphError(e)) throw e;
      throw housingFundFault(classifySqlError(e));
    }
  };
  const holding = (rows: SqlRow[]) => rows.filter((r) => !CLOSED.has(String(r.GRZHZT))).sort((a, b) => `${b.GRZHZT === '01' ? 1 : 0}${b.KHRQ}`.localeCompare(`${a.GRZHZT === '01' ? 1 : 0}${a.KHRQ}`))[0];

  return {
    async hasAccount(citizenId) {
      return caller.call(() => sql(() => tx(async (s) => Boolean(holding(await selectAccountsOf(s, citizenId))))), { idempotent: true });
    },

    async addFamilyMember(input, ctx) {
      if (!/^\d{17}[\dX]$/.test(input.holderId) || !/^\d{17}[\dX]$/.test(input.memberId)) throw badInput('Holder and member must be resident ID numbers.', 'residentId');
      if (typeof input.memberName !== 'string' || input.memberName.trim() === '' || input.memberName.length > 64) throw badInput('The member name must be 1–64 characters.', 'memberName');
      if (!ctx?.idempotencyKey) throw new TypeError('addFamilyMember needs ctx.idempotencyKey.');
      // Never retried here: a second attempt is the caller's, with the same key.
      return caller.call(
        () =>
          sql(() =>
            tx(async (s) => {
              const existing = await s.all('SELECT JTCYBH FROM GRJTCY WHERE ZJHM = ? AND WBLSH = ?', [input.holderId, ctx.idempotencyKey]);
              if (existing.length > 0) return { recordId: String(existing[0]!.JTCYBH) };
              const account = holding(await selectAccountsOf(s, input.holderId));
              if (!account) throw new CityGraphError(ErrorCode.NOT_FOUND, 'The holder has no housing fund account to record a family member on.', { department: DEPARTMENT });
              const recordId = `JT${toChinaTime(now()).replace(/\D/g, '').slice(0, 14)}${String(randomInt(0, 10_000)).padStart(4, '0')}`;
              // A concurrent twin with the same key may have inserted meanwhile (PostgreSQL): the constraint decides.
              await s.run('INSERT INTO GRJTCY (JTCYBH, GRZH, ZJHM, CYZJHM, CYXM, YHZGX, ZT, DJSJ, WBLSH) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ZJHM, WBLSH) DO NOTHING', [
                recordId, String(account.GRZH), input.holderId, input.memberId, input.memberName.trim(), RELATION_CODE[input.relation], '01', toChinaTime(now()), ctx.idempotencyKey,
              ]);
              const row = await s.all('SELECT JTCYBH FROM GRJTCY WHERE ZJHM = ? AND WBLSH = ?', [input.holderId, ctx.idempotencyKey]);
              return { recordId: String(row[0]!.JTCYBH) };
            }),
          ),
        { idempotent: false },
      );
    },

    async removeFamilyMember(recordId) {
      if (typeof recordId !== 'string' || !/^JT\d{18}$/.test(recordId)) throw badInput('Unknown family record number.', 'recordId');
      await caller.call(
        () =>
          sql(() =>
            tx(async (s) => {
              const changed = await s.run("UPDATE GRJTCY SET ZT = '02' WHERE JTCYBH = ?", [recordId]);
              if (changed.changes === 0) throw new CityGraphError(ErrorCode.NOT_FOUND, 'No such family record.', { department: DEPARTMENT });
            }),
          ),
        { idempotent: true },
      );
    },

    close: () => db.close(),
  };
}
