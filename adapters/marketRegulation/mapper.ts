/**
 * Checks the registry's records at the boundary and maps them, by whitelist, to the graph's words. Reads
 * both shapes a record arrives in: SAMR's names (`UNISCID ENTNAME NAME REGCAP …`) and the city sharing
 * platform's pinyin initials (`SHTYXYDM QYMC FDDBR ZCZB QYZT …`); the shape is told per record by its key.
 */
import { isLosslessNumber, type LosslessNumber } from 'lossless-json';
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { isValidResidentId } from '../../core/resident-id.ts';
import { marketRegulationFault } from './faults.ts';
import type { EnterpriseRecord, EnterpriseStatus } from './types.ts';

/** 登记状态 codes. */
const STATUS = new Map<string, EnterpriseStatus>([
  ['1', 'ACTIVE'], ['2', 'REVOKED'], ['3', 'REVOKED_DEREGISTERED'], ['4', 'DEREGISTERED'], ['5', 'CANCELLED'], ['6', 'MOVED_OUT'], ['9', 'OTHER'],
]);
/** The sharing platform writes the status as text; the order matters (吊销，已注销 before 注销). */
const STATUS_TEXT: Array<[RegExp, EnterpriseStatus]> = [
  [/^(存续|在营|开业|在册)/, 'ACTIVE'], [/^吊销[，,、]?\s*已注销/, 'REVOKED_DEREGISTERED'], [/^吊销/, 'REVOKED'], [/^注销/, 'DEREGISTERED'],
  [/^撤销/, 'CANCELLED'], [/^迁出/, 'MOVED_OUT'], [/^其他/, 'OTHER'],
];

const jsonNumber = z.custom<LosslessNumber>((v) => isLosslessNumber(v), { message: 'expected a JSON number' });
const str = z.string();
const samr = z.object({
  UNISCID: str, ENTNAME: str, NAME: str, CERNO: str.nullish(), REGCAP: z.union([jsonNumber, str]), ESTDATE: str, APPRDATE: str.nullish(),
  REGORG_CN: str, ENTTYPE_CN: str, DOM: str, OPFROM: str.nullish(), OPTO: str.nullish(), OPSCOPE: str, REGSTATE: z.union([str, jsonNumber]),
});
const sharing = z.object({
  SHTYXYDM: str, QYMC: str, FDDBR: str, FDDBRZJHM: str.nullish(), ZCZB: str, CLRQ: str, HZRQ: str.nullish(), DJJG: str, QYLX: str,
  ZS: str, JYQXZ: str.nullish(), JYQXZZ: str.nullish(), JYFW: str, QYZT: str,
});

/** Maps one record of either shape; throws ADAPTER_BAD_REPLY for a record outside both. */
export function mapEnterprise(raw: unknown, at: string): EnterpriseRecord {
  if (typeof raw !== 'object' || raw === null) throw badShape(`${at} is not an object`);
  if ('UNISCID' in raw) return fromSamr(parse(samr, raw, at), at);
  if ('SHTYXYDM' in raw) return fromSharing(parse(sharing, raw, at), at);
  throw badShape(`${at} has neither UNISCID nor SHTYXYDM`);
}

function fromSamr(r: z.infer<typeof samr>, at: string): EnterpriseRecord {
  const code = isLosslessNumber(r.REGSTATE) ? r.REGSTATE.value : r.REGSTATE;
  const status = STATUS.get(code);
  if (!status) throw badShape(`${at}.REGSTATE has an unknown code`);
  return {
    uscc: r.UNISCID,
    name: r.ENTNAME,
    legalRepresentative: { name: r.NAME, citizenId: residentIdOrNull(r.CERNO) },
    registeredCapital: capital(isLosslessNumber(r.REGCAP) ? r.REGCAP.value : r.REGCAP, `${at}.REGCAP`),
    establishedOn: date(r.ESTDATE, `${at}.ESTDATE`)!,
    approvedOn: date(r.APPRDATE, `${at}.APPRDATE`, true),
    registrationAuthority: r.REGORG_CN,
    type: r.ENTTYPE_CN,
    status,
    address: r.DOM,
    businessScope: r.OPSCOPE,
    operatingPeriod: { from: date(r.OPFROM, `${at}.OPFROM`, true), to: date(r.OPTO, `${at}.OPTO`, true) },
  };
}

function fromSharing(r: z.infer<typeof sharing>, at: string): EnterpriseRecord {
  const status = STATUS_TEXT.find(([re]) => re.test(r.QYZT.trim()))?.[1];
  if (!status) throw badShape(`${at}.QYZT has an unknown status`);
  // "500万元人民币", "3.5万元", "500": the sharing platform writes the unit into the value.
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(万元|万)?(人民币|元)?\s*$/.exec(r.ZCZB);
  if (!m) throw badShape(`${at}.ZCZB is not an amount in 万元`);
  return {
    uscc: r.SHTYXYDM,
    name: r.QYMC,
    legalRepresentative: { name: r.FDDBR, citizenId: residentIdOrNull(r.FDDBRZJHM) },
    registeredCapital: capital(m[1]!, `${at}.ZCZB`),
    establishedOn: date(r.CLRQ, `${at}.CLRQ`)!,
    approvedOn: date(r.HZRQ, `${at}.HZRQ`, true),
    registrationAuthority: r.DJJG,
    type: r.QYLX,
    status,
    address: r.ZS,
    businessScope: r.JYFW,
    operatingPeriod: { from: date(r.JYQXZ, `${at}.JYQXZ`, true), to: r.JYQXZZ === '长期' ? null : date(r.JYQXZZ, `${at}.JYQXZZ`, true) },
  };
}

/** Exact decimal text without trailing zeros: `500.000000` → `500`, `3.500000` → `3.5`. */
function capital(text: string, at: string): string {
  const m = /^(0|[1-9]\d{0,12})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw badShape(`${at} is not a decimal with at most six places`);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction ? `${m[1]}.${fraction}` : m[1]!;
}

/** `yyyy-MM-dd`, `yyyyMMdd` or `yyyy年M月d日` → `yyyy-MM-dd`; null for an absent optional date. */
function date(text: string | null | undefined, at: string, optional = false): string | null {
  if (text === null || text === undefined || text === '') {
    if (optional) return null;
    throw badShape(`${at} is missing`);
  }
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(text);
  if (!m) throw badShape(`${at} is not a date`);
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw badShape(`${at} is not a real date`);
  return iso;
}

function residentIdOrNull(id: string | null | undefined): string | null {
  return typeof id === 'string' && isValidResidentId(id) ? id.toUpperCase() : null;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, at: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw badShape(`${at}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function badShape(reason: string): CityGraphError {
  return marketRegulationFault({ kind: 'badShape', reason });
}
