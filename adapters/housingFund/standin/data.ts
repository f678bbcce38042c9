/**
 * The fund's seeded accounts, derived from the population stand-in's citizens: the same seed gives the
 * same accounts. Most adults have one; some none; a frozen (06), a sealed (02) and a closed (05) one
 * sit at fixed places so tests can find them. Amounts are integer cents written as decimal text.
 */
import { createHash } from 'node:crypto';
import { DEMO_CITIZEN_ID, generateCitizens, type RegistryRow } from '../../population/standin/data.ts';
import { ACCOUNT_INSERT_COLUMNS, REQUEST_INSERT_COLUMNS } from './tables.ts';

/** A GRZHXX row in the fund's column names. */
export type AccountRow = Record<(typeof ACCOUNT_INSERT_COLUMNS)[number], string>;
/** A GRTQSQ row. */
export type RequestRow = Record<(typeof REQUEST_INSERT_COLUMNS)[number], string | null>;

/** The demo citizen's account number. */
export const DEMO_ACCOUNT_NO = '210100000001';

/** Citizens at fixed positions of the population with a particular account, for tests and the README. */
export interface FundSamples {
  /** An account frozen (06). */
  frozen: string;
  /** An account sealed (02). */
  sealed: string;
  /** An adult without an account. */
  none: string;
}

/** The seeded rows for the first `count` citizens of the population stand-in. */
export function generateFund(count = 10_000, seed?: number): { accounts: AccountRow[]; requests: RequestRow[]; samples: FundSamples } {
  const citizens = generateCitizens(count, seed);
  const accounts: AccountRow[] = [];
  const requests: RequestRow[] = [];
  const samples: Partial<FundSamples> = {};
  citizens.forEach((c, i) => {
    if (c.GMSFHM === DEMO_CITIZEN_ID) {
      accounts.push(demoAccount());
      requests.push(demoRequest());
      return;
    }
    const h = createHash('sha256').update(`fund:${c.GMSFHM}`).digest();
    const born = Number(c.CSRQ.slice(0, 4));
    const adult = born <= 2006 && born >= 1950;
    // Fixed places: citizens 1–3 (when adults) are the frozen, sealed and account-less samples.
    const forced = !samples.frozen && adult ? '06' : !samples.sealed && adult ? '02' : null;
    if (!adult || (forced === null && !samples.none && i > 3) || (forced === null && h[0]! < 26)) {
      if (adult && !samples.none) samples.none = c.GMSFHM;
      return;
    }
    const status = forced ?? (h[1]! < 5 ? '06' : h[1]! < 25 ? '02' : h[1]! < 30 ? '05' : '01');
    if (forced === '06') samples.frozen = c.GMSFHM;
    if (forced === '02') samples.sealed = c.GMSFHM;
    accounts.push(account(c, h, accounts.length + 2, status));
    if (status === '01' && h[2]! < 25) requests.push(pastRequest(c, h, accounts.at(-1)!));
  });
  if (!samples.frozen || !samples.sealed || !samples.none) throw new Error('generateFund needs more citizens to place its samples.');
  return { accounts, requests, samples: samples as FundSamples };
}

function demoAccount(): AccountRow {
  return {
    GRZH: DEMO_ACCOUNT_NO, Xingming: '王立军', ZJLX: '01', ZJHM: DEMO_CITIZEN_ID, DWZH: '210100100001',
    GRZHYE: '86420.35', GRZHSNJZYE: '80180.35', GRZHDNGJYE: '6240.00', GRJCJS: '6500.00', GRJCBL: '0.12', DWJCBL: '0.12',
    GRJZNY: '202604', GRZHZT: '01', KHRQ: '20080701',
  };
}

function demoRequest(): RequestRow {
  return {
    SQBH: 'TQ2024052000000001', GRZH: DEMO_ACCOUNT_NO, ZJHM: DEMO_CITIZEN_ID, TQYY: '07', TQFS: '01', YWMXLX: '11', FSE: '12000.00',
    GRCKZHHM: '6222021234567890123', HuMing: '王立军', GRCKZHKHYHMC: '中国工商银行沈阳和平支行', ZMWJBH: 'ZL-2024-0520-001', YWZT: '04',
    SQSJ: '2024-05-20 10:31:02', SHR: 'gjj-clerk-7', SHSJ: '2024-05-21 09:12:40', SHYJ: '材料齐全，同意提取', WBLSH: 'seed-demo-0001',
  };
}

const RATES = ['0.05', '0.08', '0.10', '0.12'];

function account(c: RegistryRow, h: Buffer, n: number, status: string): AccountRow {
  const born = Number(c.CSRQ.slice(0, 4));
  const base = 2_000n + BigInt(h.readUInt16BE(4) % 28_000); // whole yuan
  const rate = RATES[h[6]! % RATES.length]!;
  const monthly = (base * 100n * BigInt(Math.round(Number(rate) * 100)) * 2n) / 100n; // cents, both shares
  const months = status === '01' ? 1n + BigInt(h[7]! % 10) : 0n;
  const carried = status === '05' ? 0n : BigInt(h.readUInt32BE(8) % 30_000_000);
  const thisYear = monthly * months;
  const openedYear = Math.max(born + 18, 1999) + (h[12]! % 8);
  return {
    GRZH: `2101${String(n).padStart(8, '0')}`,
    Xingming: c.XM,
    ZJLX: '01',
    ZJHM: c.GMSFHM,
    DWZH: `2101001${String(h.readUInt16BE(13) % 100_000).padStart(5, '0')}`,
    GRZHYE: money(carried + thisYear),
    GRZHSNJZYE: money(carried),
    GRZHDNGJYE: money(thisYear),
    GRJCJS: money(base * 100n),
    GRJCBL: rate,
    DWJCBL: rate,
    GRJZNY: status === '01' ? `2026${String(Number(months)).padStart(2, '0')}` : `20${String(15 + (h[15]! % 10))}12`,
    GRZHZT: status,
    KHRQ: `${Math.min(openedYear, 2024)}${String(1 + (h[16]! % 12)).padStart(2, '0')}${String(1 + (h[17]! % 28)).padStart(2, '0')}`,
  };
}

function pastRequest(c: RegistryRow, h: Buffer, a: AccountRow): RequestRow {
  const reason = ['01', '06', '07', '09'][h[18]! % 4]!;
  return {
    SQBH: `TQ2025${String(1 + (h[19]! % 12)).padStart(2, '0')}10${String(h.readUInt32BE(20) % 100_000_000).padStart(8, '0')}`,
    GRZH: a.GRZH, ZJHM: c.GMSFHM, TQYY: reason, TQFS: '01', YWMXLX: '11',
    FSE: money(BigInt(100_00 + (h.readUInt16BE(24) % 2_000) * 100)),
    GRCKZHHM: `62220${String(h.readUInt32BE(26) % 1e9).padStart(9, '0')}12345`, HuMing: c.XM, GRCKZHKHYHMC: '中国建设银行沈阳分行',
    ZMWJBH: `ZM${String(h.readUInt16BE(28)).padStart(6, '0')}`, YWZT: h[30]! < 20 ? '05' : '04',
    SQSJ: `2025-${String(1 + (h[19]! % 12)).padStart(2, '0')}-10 09:30:00`, SHR: 'gjj-clerk-1', SHSJ: `2025-${String(1 + (h[19]! % 12)).padStart(2, '0')}-11 10:00:00`,
    SHYJ: h[30]! < 20 ? '材料不全' : '同意', WBLSH: `seed-${a.GRZH}`,
  };
}

function money(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}
