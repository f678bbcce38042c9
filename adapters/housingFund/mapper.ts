/**
 * Checks rows of the fund's tables at the boundary and maps them, by whitelist, to the graph's words.
 * The only place that reads the fund's column names (GRZHXX, GRTQSQ) and codes.
 */
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { housingFundFault } from './faults.ts';
import { fromCents, toCents } from './money.ts';
import type { AccountStatus, HousingFundAccount, WithdrawalReason, WithdrawalRecord, WithdrawalStatus } from './types.ts';

/** GRZHZT */
export const ACCOUNT_STATUS = new Map<string, AccountStatus>([
  ['01', 'ACTIVE'], ['02', 'SEALED'], ['03', 'CLOSED_MERGED'], ['04', 'CLOSED_TRANSFERRED'], ['05', 'CLOSED_WITHDRAWN'], ['06', 'FROZEN'], ['99', 'OTHER'],
]);
/** TQYY */
export const REASON = new Map<string, WithdrawalReason>([
  ['01', 'HOME_PURCHASE'], ['02', 'BUILD_OR_RENOVATE'], ['03', 'RETIREMENT'], ['04', 'INCAPACITY'], ['05', 'EMIGRATION'],
  ['06', 'MORTGAGE_REPAYMENT'], ['07', 'RENT'], ['08', 'DEATH'], ['09', 'SERIOUS_ILLNESS'], ['99', 'OTHER'],
]);
/** The fund's code of a graph reason. */
export const REASON_CODE = new Map([...REASON].map(([code, reason]) => [reason, code]));
/** YWZT */
export const WITHDRAWAL_STATUS = new Map<string, WithdrawalStatus>([
  ['01', 'NEW'], ['02', 'PENDING_REVIEW'], ['03', 'PENDING_PAYMENT'], ['04', 'PAID'], ['05', 'REJECTED'], ['06', 'FAILED'],
]);

/** The account columns the adapter selects, in the fund's names. */
export const ACCOUNT_COLUMNS = ['GRZH', 'Xingming', 'ZJHM', 'GRZHYE', 'GRZHSNJZYE', 'GRZHDNGJYE', 'GRJCJS', 'GRJCBL', 'DWJCBL', 'GRJZNY', 'GRZHZT', 'KHRQ'] as const;
/** The withdrawal columns the adapter selects. */
export const WITHDRAWAL_COLUMNS = ['SQBH', 'ZJHM', 'TQYY', 'FSE', 'YWZT', 'SQSJ', 'SHYJ'] as const;

const text = z.string();
const accountRow = z.object({
  GRZH: z.string().regex(/^\d{6,20}$/),
  ZJHM: text,
  XINGMING: text,
  GRZHYE: z.unknown(),
  GRZHSNJZYE: z.unknown(),
  GRZHDNGJYE: z.unknown(),
  GRJCJS: z.unknown(),
  GRJCBL: text,
  DWJCBL: text,
  GRJZNY: z.string().regex(/^\d{4}(0[1-9]|1[0-2])$/),
  GRZHZT: text,
  KHRQ: z.string().regex(/^\d{8}$/),
});
const withdrawalRow = z.object({
  SQBH: z.string().min(1),
  ZJHM: text,
  TQYY: text,
  FSE: z.unknown(),
  YWZT: text,
  SQSJ: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  SHYJ: text.nullable(),
});
const RATE = /^0(\.\d{1,4})?$|^1(\.0{1,4})?$/;

/** Maps one GRZHXX row (and its withdrawals) to an account; throws ADAPTER_BAD_REPLY for a row outside the format. */
export function mapAccount(raw: unknown, withdrawals: readonly unknown[]): HousingFundAccount {
  const row = parse(accountRow, raw, 'GRZHXX');
  const status = ACCOUNT_STATUS.get(row.GRZHZT);
  if (!status) throw badRow('GRZHXX.GRZHZT has an unknown code');
  if (!RATE.test(row.GRJCBL) || !RATE.test(row.DWJCBL)) throw badRow('GRZHXX.GRJCBL/DWJCBL is not a rate');
  const opened = isoDate(row.KHRQ);
  if (!opened) throw badRow('GRZHXX.KHRQ is not a date');
  return {
    accountNo: row.GRZH,
    citizenId: row.ZJHM,
    balance: amount(row.GRZHYE, 'GRZHXX.GRZHYE'),
    carriedOver: amount(row.GRZHSNJZYE, 'GRZHXX.GRZHSNJZYE'),
    depositedThisYear: amount(row.GRZHDNGJYE, 'GRZHXX.GRZHDNGJYE'),
    depositBase: amount(row.GRJCJS, 'GRZHXX.GRJCJS'),
    personalRate: row.GRJCBL,
    employerRate: row.DWJCBL,
    paidUpTo: `${row.GRJZNY.slice(0, 4)}-${row.GRJZNY.slice(4)}`,
    status,
    openedOn: opened,
    withdrawals: withdrawals.map(mapWithdrawal),
  };
}

/** Maps one GRTQSQ row to a withdrawal record. */
export function mapWithdrawal(raw: unknown): WithdrawalRecord {
  const row = parse(withdrawalRow, raw, 'GRTQSQ');
  const reason = REASON.get(row.TQYY);
  if (!reason) throw badRow('GRTQSQ.TQYY has an unknown code');
  const status = WITHDRAWAL_STATUS.get(row.YWZT);
  if (!status) throw badRow('GRTQSQ.YWZT has an unknown code');
  return {
    requestNo: row.SQBH,
    reason,
    amount: amount(row.FSE, 'GRTQSQ.FSE'),
    status,
    submittedAt: fromChinaTime(row.SQSJ),
    reviewNote: row.SHYJ,
    citizenId: row.ZJHM,
  };
}

/** Cents of an amount column; ADAPTER_BAD_REPLY when it holds anything but decimal text. */
export function centsOf(value: unknown, column: string): bigint {
  const cents = toCents(typeof value === 'number' ? String(value) : value);
  if (cents === null) throw badRow(`${column} is not an amount`);
  return cents;
}

function amount(value: unknown, column: string): string {
  return fromCents(centsOf(value, column));
}

/** `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8) → ISO instant. */
export function fromChinaTime(text: string): string {
  const iso = `${text.replace(' ', 'T')}.000+08:00`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw badRow('a time column is not a time');
  return new Date(t).toISOString();
}

/** An instant → `yyyy-MM-dd HH:mm:ss` China time, as the fund writes times. */
export function toChinaTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function isoDate(yyyymmdd: string): string | null {
  const s = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? s : null;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, table: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw badRow(`${table}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function badRow(reason: string): CityGraphError {
  return housingFundFault({ kind: 'badRow', reason });
}
