/**
 * Checks a raw 1101 reply (as parsed by lossless-json) at the boundary and maps it, by whitelist, to
 * the graph's InsuranceRecord. The only place that reads the platform's field names and codes.
 */
import { z } from 'zod';
import { isLosslessNumber, type LosslessNumber } from 'lossless-json';
import type { CityGraphError } from '../../core/errors.ts';
import { medicalInsuranceFault } from './faults.ts';
import { toDecimal2 } from './money.ts';
import type { InsuranceRecord, InsuranceStatus, InsuranceType } from './types.ts';

/** A JSON number kept as its text, so that `1523.40` is never a float on the way. */
const jsonNumber = z.custom<LosslessNumber>((v) => isLosslessNumber(v), { message: 'expected a JSON number' });

const head = z.object({ infcode: jsonNumber });
const failure = z.object({ err_msg: z.string() });
const insuinfo = z.object({
  balc: jsonNumber,
  insutype: z.string(),
  psn_insu_stas: z.string(),
  psn_insu_date: z.string(),
  insuplc_admdvs: z.string(),
});
const success = z.object({
  output: z.object({
    baseinfo: z.object({ certno: z.string() }),
    insuinfo: z.array(insuinfo),
  }),
});
type InsuInfo = z.infer<typeof insuinfo>;

const STATUS = new Map<string, InsuranceStatus>([['1', 'ACTIVE'], ['2', 'SUSPENDED'], ['4', 'TERMINATED']]);
/** National insurance type codes (险种类型, the platform's `insutype` dictionary). */
const TYPE = new Map<string, InsuranceType>([
  ['310', 'EMPLOYEE'],
  ['320', 'CIVIL_SERVANT_SUBSIDY'],
  ['330', 'LARGE_EXPENSE_SUBSIDY'],
  ['340', 'RETIRED_CADRE'],
  ['350', 'DISABLED_SERVICEMEN'],
  ['360', 'RED_ARMY_VETERAN'],
  ['370', 'ENTERPRISE_SUPPLEMENTARY'],
  ['380', 'RURAL_COOPERATIVE'],
  ['390', 'RESIDENT'],
  ['391', 'URBAN_RESIDENT'],
  ['392', 'RESIDENT_SERIOUS_ILLNESS'],
  ['399', 'OTHER_SPECIAL'],
  ['410', 'LONG_TERM_CARE'],
  ['510', 'MATERNITY'],
]);
/** Schemes a person is insured under in their own right; the others supplement one of these. */
const BASIC = new Set(['310', '340', '380', '390', '391']);
/** What an insurance type code looks like; a code the platform adds later passes as OTHER with its code. */
const TYPE_CODE = /^\d{3}$/;

/**
 * The person's current insurance from a 1101 reply about `certno`: null when the platform says the
 * person is not insured; throws a CityGraphError for a refused query or a reply outside the protocol.
 */
export function mapPersonInfoReply(raw: unknown, certno: string): InsuranceRecord | null {
  const code = parse(head, raw).infcode.value;
  if (code === '-1') {
    const error = medicalInsuranceFault({ kind: 'infcode', errMsg: parse(failure, raw).err_msg });
    if (error === null) return null;
    throw error;
  }
  if (code !== '0') throw badShape(`infcode ${code} is neither 0 nor -1`);
  const { output } = parse(success, raw);
  // A reply about someone else must never be shown as this person's record.
  if (output.baseinfo.certno !== certno) throw badShape('baseinfo.certno is not the ID that was asked for');
  const records = output.insuinfo.map(toRecord);
  return pickCurrent(records);
}

/** The current entry of several: an active one first, then a basic scheme over a supplement, then the one that began last. */
export function pickCurrent(records: readonly InsuranceRecord[]): InsuranceRecord | null {
  let best: InsuranceRecord | null = null;
  for (const r of records) {
    if (best === null || rank(r) > rank(best)) best = r;
  }
  return best;
}

function rank(r: InsuranceRecord): string {
  return `${r.status === 'ACTIVE' ? 1 : 0}${BASIC.has(r.typeCode) ? 1 : 0}${r.insuredSince}`;
}

function toRecord(entry: InsuInfo, index: number): InsuranceRecord {
  const at = `insuinfo[${index}]`;
  const status = STATUS.get(entry.psn_insu_stas);
  if (!status) throw badShape(`${at}.psn_insu_stas has an unknown code`);
  // A code the platform adds later is passed on, not refused: refusing would hide the whole record.
  if (!TYPE_CODE.test(entry.insutype)) throw badShape(`${at}.insutype is not a three-digit code`);
  const type = TYPE.get(entry.insutype) ?? 'OTHER';
  const balance = toDecimal2(entry.balc.value);
  if (balance === null) throw badShape(`${at}.balc is not a decimal with at most two places`);
  const insuredSince = isoDate(entry.psn_insu_date);
  if (insuredSince === null) throw badShape(`${at}.psn_insu_date is not a date`);
  if (!/^\d{6}$/.test(entry.insuplc_admdvs)) throw badShape(`${at}.insuplc_admdvs is not a six-digit division code`);
  return { status, type, typeCode: entry.insutype, balance, insuredSince, insuredPlace: entry.insuplc_admdvs };
}

/** `yyyy-MM-dd`, also when the platform appends a time (some provinces send `yyyy-MM-dd HH:mm:ss`). */
function isoDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: \d{2}:\d{2}:\d{2})?$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? text.slice(0, 10) : null;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw badShape(z.prettifyError(result.error));
  return result.data;
}

function badShape(reason: string): CityGraphError {
  return medicalInsuranceFault({ kind: 'badShape', reason });
}
