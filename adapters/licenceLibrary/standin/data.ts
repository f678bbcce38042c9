/**
 * The library's seeded certificates, in its own field names (invented pinyin initials after the
 * national 电子证照 metadata standard: zzbs 证照标识, zzlxdm 证照类型代码, zzbh 证照编号, czzt 持证主体,
 * czztdm 持证主体代码, bzdw 颁证单位, yxqqsrq/yxqjzrq 有效期起止, zzzt 证照状态). Deterministic: the same
 * certificates every start; only the issuers' signatures depend on their (generated) keys.
 *
 * Seeded among the demo citizen's: valid ones (ID card, household register, marriage certificate,
 * insurance certificate), an expired ID card, a revoked insurance certificate and a revoked real-estate certificate, a real-estate
 * certificate whose content was altered after sealing (hash mismatch) and a disability certificate
 * altered and re-hashed without the issuer's key (signature mismatch). Among others': the demo
 * household's pages, a few generated citizens' (one expired, one revoked, one altered) and the demo
 * enterprises' business licences (one revoked) and an expired food business licence.
 */
import { DEMO_CHILD_ID, DEMO_CITIZEN_ID, DEMO_HOUSEHOLD_NUMBER, DEMO_SPOUSE_ID, generateCitizens, householdRegisterId, ownHouseholdNumber } from '../../population/standin/data.ts';
import { DEMO_CLOSED_USCC, DEMO_ENTERPRISE_USCC } from '../../marketRegulation/standin/data.ts';

/** A certificate as the library stores and sends it. */
export interface CertificateRow {
  /** 证照标识 */
  zzbs: string;
  /** 证照类型代码 */
  zzlxdm: string;
  /** 证照类型名称 */
  zzlxmc: string;
  /** 证照编号 */
  zzbh: string;
  /** 持证主体 (name) */
  czzt: string;
  /** 持证主体代码: resident ID or USCC */
  czztdm: string;
  /** 持证主体代码类型: 111 公民身份号码, 001 统一社会信用代码 (GB/T 36904 style, invented values) */
  czztdmlx: '111' | '001';
  /** 颁证单位 */
  bzdw: string;
  /** 颁证单位代码 */
  bzdwdm: string;
  /** 有效期起始日期 yyyy-MM-dd */
  yxqqsrq: string;
  /** 有效期截止日期 yyyy-MM-dd, or 长期 */
  yxqjzrq: string;
  /** 证照状态: 1 正常, 2 注销, 3 吊销 (invented codes) */
  zzzt: '1' | '2' | '3';
  /** SM3 of the canonical content (sign.ts), hex */
  zzsm3: string;
  /** The issuer's SM2 signature over zzsm3, r‖s hex */
  zzqm: string;
}

/** 颁证单位: code, name, and the graph's department that issues through it (if any). */
export const ISSUERS: ReadonlyArray<{ code: string; name: string; department: string | null }> = [
  { code: 'SYGAJ', name: '沈阳市公安局', department: 'population' },
  { code: 'SYYBJ', name: '沈阳市医疗保障局', department: 'medicalInsurance' },
  { code: 'SYSCJ', name: '沈阳市市场监督管理局', department: 'marketRegulation' },
  { code: 'SYHPMZJ', name: '沈阳市和平区民政局', department: null },
  { code: 'SYBDCDJ', name: '沈阳市不动产登记中心', department: null },
  { code: 'SYWJW', name: '沈阳市卫生健康委员会', department: null },
  { code: 'SYCL', name: '沈阳市残疾人联合会', department: null },
];

const TYPE_NAMES: Record<string, string> = {
  '0101': '居民身份证', '0102': '居民户口簿', '0201': '结婚证', '0301': '不动产权证书', '0401': '营业执照',
  '0402': '食品经营许可证', '0501': '出生医学证明', '0601': '医疗保障参保凭证', '0701': '残疾人证',
};

/** A seeded certificate before sealing, and how (if at all) it was altered after. */
export interface CertificateSeed {
  row: Omit<CertificateRow, 'zzsm3' | 'zzqm'>;
  /**
   * `hash`: sealed, then these fields changed (digest and signature left as they were).
   * `signature`: sealed, then these fields changed and the digest recomputed (signature left).
   */
  tamper?: { kind: 'hash' | 'signature'; change: Partial<CertificateRow> };
}

const issuer = (code: string) => ISSUERS.find((i) => i.code === code)!;

function cert(zzbs: string, zzlxdm: string, zzbh: string, holder: { name: string; id: string }, bzdwdm: string, from: string, until: string, zzzt: '1' | '2' | '3' = '1'): CertificateSeed['row'] {
  return {
    zzbs, zzlxdm, zzlxmc: TYPE_NAMES[zzlxdm]!, zzbh, czzt: holder.name, czztdm: holder.id,
    czztdmlx: /^\d{17}[\dX]$/.test(holder.id) ? '111' : '001', bzdw: issuer(bzdwdm).name, bzdwdm, yxqqsrq: from, yxqjzrq: until, zzzt,
  };
}

const DEMO = { name: '王立军', id: DEMO_CITIZEN_ID };
const SPOUSE = { name: '李秀梅', id: DEMO_SPOUSE_ID };
const CHILD = { name: '王子轩', id: DEMO_CHILD_ID };

/** Identifiers of the demo citizen's seeded certificates, by what they show. */
export const DEMO_DOCUMENTS = {
  idCard: 'DZZZ-SFZ-0001',
  expiredIdCard: 'DZZZ-SFZ-0000',
  householdRegister: householdRegisterId(DEMO_HOUSEHOLD_NUMBER, 0),
  insurance: 'DZZZ-CBPZ-0001',
  marriage: 'DZZZ-JHZ-0001',
  /** 不动产权证书 altered after sealing: its number no longer matches the digest. */
  tamperedHash: 'DZZZ-BDCQZ-0001',
  /** 医疗保障参保凭证 cancelled (注销) when a new one was issued. */
  revoked: 'DZZZ-CBPZ-0000',
  /** 不动产权证书 cancelled (注销) when the flat was sold. */
  revokedRealEstate: 'DZZZ-BDCQZ-0002',
  /** 残疾人证 altered and re-hashed by someone without the issuer's key. */
  tamperedSignature: 'DZZZ-CJRZ-0001',
  /** The wife's ID card: someone else's document for the demo citizen. */
  spouseIdCard: 'DZZZ-SFZ-0002',
} as const;

/** Identifiers of the demo enterprises' seeded certificates. */
export const ENTERPRISE_DOCUMENTS = {
  businessLicence: `DZZZ-YYZZ-${DEMO_ENTERPRISE_USCC}`,
  /** 食品经营许可证 past its five years. */
  expiredFoodLicence: 'DZZZ-SPJY-0001',
  /** The deregistered enterprise's licence, cancelled. */
  revokedBusinessLicence: `DZZZ-YYZZ-${DEMO_CLOSED_USCC}`,
} as const;

/** How many generated citizens (after the demo citizen) get an ID card and a household-register page. */
export const OTHER_HOLDERS = 12;

/** Every seeded certificate. */
export function seedCertificates(): CertificateSeed[] {
  const seeds: CertificateSeed[] = [
    { row: cert(DEMO_DOCUMENTS.idCard, '0101', DEMO_CITIZEN_ID, DEMO, 'SYGAJ', '2015-05-12', '2035-05-12') },
    { row: cert(DEMO_DOCUMENTS.expiredIdCard, '0101', DEMO_CITIZEN_ID, DEMO, 'SYGAJ', '2005-05-12', '2015-05-12') },
    { row: cert(DEMO_DOCUMENTS.householdRegister, '0102', DEMO_HOUSEHOLD_NUMBER, DEMO, 'SYGAJ', '2015-05-12', '长期') },
    { row: cert(householdRegisterId(DEMO_HOUSEHOLD_NUMBER, 1), '0102', DEMO_HOUSEHOLD_NUMBER, SPOUSE, 'SYGAJ', '2015-05-12', '长期') },
    { row: cert(householdRegisterId(DEMO_HOUSEHOLD_NUMBER, 2), '0102', DEMO_HOUSEHOLD_NUMBER, CHILD, 'SYGAJ', '2015-06-15', '长期') },
    { row: cert(DEMO_DOCUMENTS.insurance, '0601', 'YB21010220150001234', DEMO, 'SYYBJ', '2020-01-01', '2030-12-31') },
    { row: cert(DEMO_DOCUMENTS.marriage, '0201', 'J210102-2014-000512', DEMO, 'SYHPMZJ', '2014-10-01', '长期') },
    { row: cert('DZZZ-JHZ-0002', '0201', 'J210102-2014-000512', SPOUSE, 'SYHPMZJ', '2014-10-01', '长期') },
    {
      row: cert(DEMO_DOCUMENTS.tamperedHash, '0301', '辽(2019)沈阳市不动产权第0123456号', DEMO, 'SYBDCDJ', '2019-06-18', '长期'),
      tamper: { kind: 'hash', change: { zzbh: '辽(2019)沈阳市不动产权第0128456号' } },
    },
    { row: cert(DEMO_DOCUMENTS.revoked, '0601', 'YB21010220100000815', DEMO, 'SYYBJ', '2010-01-01', '2030-12-31', '2') },
    { row: cert(DEMO_DOCUMENTS.revokedRealEstate, '0301', '辽(2012)沈阳市不动产权第0045678号', DEMO, 'SYBDCDJ', '2012-03-02', '长期', '2') },
    {
      row: cert(DEMO_DOCUMENTS.tamperedSignature, '0701', `${DEMO_CITIZEN_ID}44`, DEMO, 'SYCL', '2020-03-01', '2030-03-01'),
      tamper: { kind: 'signature', change: { zzbh: `${DEMO_CITIZEN_ID}42`, yxqjzrq: '2040-03-01' } },
    },
    { row: cert(DEMO_DOCUMENTS.spouseIdCard, '0101', DEMO_SPOUSE_ID, SPOUSE, 'SYGAJ', '2017-08-20', '2037-08-20') },
    { row: cert('DZZZ-CSYXZM-0001', '0501', 'Q210012345', CHILD, 'SYWJW', '2015-06-01', '长期') },
  ];
  // A few generated citizens: an ID card and their own household's page each; one card expired, one altered, one insurance certificate revoked.
  const others = generateCitizens(OTHER_HOLDERS + 1).slice(1);
  others.forEach((c, i) => {
    const holder = { name: c.XM, id: c.GMSFHM };
    const n = String(1001 + i);
    const from = `${Math.max(Number(c.CSRQ.slice(0, 4)) + 16, 2006)}-${c.CSRQ.slice(4, 6)}-${c.CSRQ.slice(6, 8)}`;
    const expired = i === 1;
    const until = expired ? `${Number(from.slice(0, 4)) + 10}${from.slice(4)}` : '长期';
    const idCard = cert(`DZZZ-SFZ-${n}`, '0101', c.GMSFHM, holder, 'SYGAJ', expired ? '2008-01-10' : from, expired ? '2018-01-10' : until);
    seeds.push(i === 3 ? { row: idCard, tamper: { kind: 'hash', change: { yxqjzrq: '2099-12-31' } } } : { row: idCard });
    seeds.push({ row: cert(householdRegisterId(ownHouseholdNumber(c.GMSFHM), 0), '0102', ownHouseholdNumber(c.GMSFHM), holder, 'SYGAJ', from, '长期') });
    if (i === 2) seeds.push({ row: cert(`DZZZ-CBPZ-${n}`, '0601', `YB2101${n}`, holder, 'SYYBJ', '2019-01-01', '2029-12-31', '2') });
  });
  seeds.push(
    { row: cert(ENTERPRISE_DOCUMENTS.businessLicence, '0401', DEMO_ENTERPRISE_USCC, { name: '沈阳立军精密机床有限公司', id: DEMO_ENTERPRISE_USCC }, 'SYSCJ', '2016-08-18', '长期') },
    { row: cert(ENTERPRISE_DOCUMENTS.expiredFoodLicence, '0402', 'JY12101020012345', { name: '沈阳立军精密机床有限公司', id: DEMO_ENTERPRISE_USCC }, 'SYSCJ', '2021-05-01', '2026-04-30') },
    { row: cert(ENTERPRISE_DOCUMENTS.revokedBusinessLicence, '0401', DEMO_CLOSED_USCC, { name: '沈阳市和平区立军五金经营部', id: DEMO_CLOSED_USCC }, 'SYSCJ', '2011-04-02', '长期', '2') },
  );
  return seeds;
}
