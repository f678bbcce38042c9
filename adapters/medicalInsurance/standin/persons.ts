/**
 * The stand-in's seeded people: everything about a person is derived from a hash of the ID number, so
 * the same ID always gives the same person and no table has to be kept. Amounts are kept as integer
 * cents and written as decimal text, so the stand-in itself never rounds through a binary float.
 */
import { createHash } from 'node:crypto';
import { isValidResidentId } from './residentId.ts';

/** One 1101 insuinfo entry in the platform's own field names; `balcCents` is written as `balc`. */
export interface InsuInfo {
  balcCents: bigint;
  /** National insurance type codes: 310 employees' basic, 390 residents' basic, and supplements (320 civil servants' subsidy, 330 large-amount, 340 retired cadres, 510 maternity). */
  insutype: '310' | '390' | '320' | '330' | '340' | '510';
  psn_type: string;
  psn_insu_stas: '1' | '2' | '4';
  psn_insu_date: string;
  paus_insu_date: string | null;
  cvlserv_flag: '0' | '1';
  insuplc_admdvs: string;
  emp_name: string;
}

/** One person as the platform stores them. */
export interface Person {
  psn_no: string;
  certno: string;
  psn_name: string;
  gend: '1' | '2';
  naty: string;
  brdy: string;
  insuinfo: InsuInfo[];
}

/** The demo citizen used across CityGraph; always insured with the values of LEGACY.md's sample. */
export const DEMO_CERTNO = '210102198503152318';

/** Amounts that are not exact in binary floating point, handed out to some people on purpose. */
const AWKWARD_CENTS = [10n, 7007n, 152340n, 1234567891n, 5n, 9999999n, 30n, 110n];
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗';
const GIVEN = ['立军', '秀英', '伟', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '霞', '平', '刚'];
const EMPLOYERS = ['沈阳某机床有限公司', '沈阳某汽车配件有限公司', '和平区某商贸有限公司', '沈河区某医院', '沈阳某软件股份有限公司', '浑南某电子科技有限公司'];
const PLACES = ['210199', '210199', '210199', '210102', '210103', '210104', '210105', '210106', '210112', '210114'];

/** The person with this ID, or null when the platform has no insured person under it. */
export function findPerson(certno: string): Person | null {
  if (certno === DEMO_CERTNO) return demoPerson();
  if (!isValidResidentId(certno)) return null;
  const h = createHash('sha256').update(certno).digest();
  if (h[0]! >= 230) return null; // about 10 % of valid IDs are not insured
  const birthYear = Number(certno.slice(6, 10));
  const first = entry(h, 2, birthYear);
  // About one in ten has a history: a terminated residents' scheme followed by an active employee one.
  const insuinfo = h[1]! < 26 ? withHistory(h, birthYear, first) : [first];
  // Employees are also listed under the platform's supplementary types, as real 1101 replies list them:
  // civil servants the subsidy (320), some the large-amount scheme (330) or maternity insurance (510).
  if (first.insutype === '310' && first.psn_insu_stas === '1') {
    const supplement = first.cvlserv_flag === '1' ? '320' : h[25]! < 40 ? '330' : h[25]! < 60 ? '510' : null;
    if (supplement) insuinfo.push({ ...first, insutype: supplement, balcCents: 0n });
  }
  return {
    psn_no: `2100000000000000${h.readUInt32BE(20).toString().padStart(10, '0')}`,
    certno,
    psn_name: SURNAMES[h[10]! % SURNAMES.length]! + GIVEN[h[11]! % GIVEN.length]!,
    gend: Number(certno[16]) % 2 === 1 ? '1' : '2',
    naty: h[12]! < 230 ? '01' : '03',
    brdy: `${certno.slice(6, 10)}-${certno.slice(10, 12)}-${certno.slice(12, 14)}`,
    insuinfo,
  };
}

function demoPerson(): Person {
  return {
    psn_no: '21000000000000000012345678',
    certno: DEMO_CERTNO,
    psn_name: '王立军',
    gend: '1',
    naty: '01',
    brdy: '1985-03-15',
    insuinfo: [{
      balcCents: 152340n, insutype: '310', psn_type: '11', psn_insu_stas: '1', psn_insu_date: '2008-07-01',
      paus_insu_date: null, cvlserv_flag: '0', insuplc_admdvs: '210199', emp_name: '沈阳某机床有限公司',
    }],
  };
}

/** One entry from the hash bytes starting at `at` (each entry uses its own bytes). */
function entry(h: Buffer, at: number, birthYear: number): InsuInfo {
  const employee = h[at]! < 170;
  const stasByte = h[at + 1]!;
  const status = stasByte < 215 ? '1' : stasByte < 235 ? '2' : '4';
  const since = insuredSince(h, at + 2, birthYear);
  return {
    balcCents: balance(h, at + 4),
    insutype: employee ? '310' : '390',
    psn_type: employee ? (birthYear <= 1964 ? '21' : '11') : '1401',
    psn_insu_stas: status,
    psn_insu_date: since,
    paus_insu_date: status === '1' ? null : laterDate(since, h[at + 8]!),
    cvlserv_flag: employee && h[at + 9]! < 20 ? '1' : '0',
    insuplc_admdvs: PLACES[h[at + 10]! % PLACES.length]!,
    emp_name: employee ? EMPLOYERS[h[at + 11]! % EMPLOYERS.length]! : '',
  };
}

/** A terminated 390 entry and an active 310 one that began when the first ended, in either order. */
function withHistory(h: Buffer, birthYear: number, base: InsuInfo): InsuInfo[] {
  const old = entry(h, 14, birthYear);
  const past: InsuInfo = { ...old, insutype: '390', psn_type: '1401', emp_name: '', cvlserv_flag: '0', psn_insu_stas: '4' };
  past.paus_insu_date = laterDate(past.psn_insu_date, h[22]!);
  const now: InsuInfo = {
    ...base, insutype: '310', psn_type: '11', psn_insu_stas: '1', paus_insu_date: null,
    psn_insu_date: past.paus_insu_date, emp_name: EMPLOYERS[h[23]! % EMPLOYERS.length]!,
  };
  return h[24]! % 2 === 0 ? [past, now] : [now, past];
}

/** 0.05 … 99999.99 yuan in cents, or now and then one of the awkward amounts. */
function balance(h: Buffer, at: number): bigint {
  if (h[at]! < 40) return AWKWARD_CENTS[h[at + 1]! % AWKWARD_CENTS.length]!;
  return 5n + BigInt(h.readUInt32BE(at) % 9_999_995);
}

function insuredSince(h: Buffer, at: number, birthYear: number): string {
  const year = Math.min(2023, Math.max(birthYear + 18, 1998) + (h[at]! % 12));
  return `${year}-${pad2(1 + (h[at + 1]! % 12))}-01`;
}

function laterDate(since: string, byte: number): string {
  const year = Math.min(2024, Number(since.slice(0, 4)) + 1 + (byte % 6));
  return `${year}-${pad2(1 + (byte % 12))}-01`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
