/**
 * The stand-in's seeded population: the same seed always yields the same citizens in the same order,
 * so tests and benchmarks can ask for IDs that exist without sharing state with the server.
 */
import { createHash } from 'node:crypto';
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import {
  ETHNICITY_WEIGHTS, FEMALE_GIVEN, MALE_GIVEN, NON_SHENYANG_ADDRESSES, OTHER_ID_DIVISIONS,
  RETIRED_LIAOZHONG, SHENYANG_DIVISIONS, SURNAMES,
} from './vocabulary.ts';

/** A registry row in the legacy system's own field names (GA/T 543 data elements). */
export interface RegistryRow {
  /** 公民身份号码 */
  GMSFHM: string;
  /** 姓名 */
  XM: string;
  /** 性别, display text */
  XB: string;
  /** 民族, display text */
  MZ: string;
  /** 出生日期, yyyyMMdd */
  CSRQ: string;
  /** 户籍地址 */
  HJDZ: string;
  /** 所属辖区, six-digit division code of the registering district */
  SSXQ: string;
  /** 联系电话; empty when none is on file */
  LXDH: string;
  /** 登记时间, yyyyMMddHHmmss (a second date format, as in the real registry) */
  DJSJ: string;
}

/** The resident ID of the demo citizen 王立军, present in every generated population. */
export const DEMO_CITIZEN_ID = '210102198503152318';

/** Seed used when none is given. */
export const DEFAULT_SEED = 20240520;

/** Population size used when none is given. */
export const DEFAULT_CITIZENS = 10_000;

const DEMO_CITIZEN: RegistryRow = {
  GMSFHM: DEMO_CITIZEN_ID,
  XM: '王立军',
  XB: '男',
  MZ: '汉族',
  CSRQ: '19850315',
  HJDZ: '沈阳市和平区南京北街123号2单元501室',
  SSXQ: '210102',
  LXDH: '13804001234',
  DJSJ: '20150512000000',
};

/**
 * The demo citizen's household (户): 王立军 is its head (户主); his wife and their son are registered in
 * it too. They are extra rows of the registry, not part of `generateCitizens`, so every other
 * department's seeded data (built from `generateCitizens`) stays as it was.
 */
export const DEMO_HOUSEHOLD_NUMBER = '101350271';
/** 李秀梅, the demo citizen's wife, same household (与户主关系 12 妻). */
export const DEMO_SPOUSE_ID = '210102198708201523';
/** 王子轩, their son, same household (与户主关系 21 独生子). */
export const DEMO_CHILD_ID = '210102201506013510';

/** The rows of the demo citizen's family, held by the registry beside the generated population. */
export const DEMO_FAMILY: readonly RegistryRow[] = [
  { GMSFHM: DEMO_SPOUSE_ID, XM: '李秀梅', XB: '女', MZ: '汉族', CSRQ: '19870820', HJDZ: DEMO_CITIZEN.HJDZ, SSXQ: '210102', LXDH: '13904005678', DJSJ: '20150512000000' },
  { GMSFHM: DEMO_CHILD_ID, XM: '王子轩', XB: '男', MZ: '汉族', CSRQ: '20150601', HJDZ: DEMO_CITIZEN.HJDZ, SSXQ: '210102', LXDH: '13804001234', DJSJ: '20150615093000' },
];

/** One member of a household as the registry holds it: resident ID and 与户主关系 (YHZGX). */
export interface HouseholdMemberRow {
  /** 公民身份号码 */
  GMSFHM: string;
  /** 与户主关系, a GB/T 4761-2008 家庭关系代码: 02 户主, 12 妻, 21 独生子 … */
  YHZGX: string;
}

/** A household (户) as the registry holds it: its number (户号, HH) and members, the head first. */
export interface HouseholdRow {
  /** 户号: nine digits (invented format; real ones vary by province). */
  HH: string;
  members: HouseholdMemberRow[];
}

/** Households seeded with several members; everyone else is the head of a household of their own. */
export const SEEDED_HOUSEHOLDS: readonly HouseholdRow[] = [
  { HH: DEMO_HOUSEHOLD_NUMBER, members: [{ GMSFHM: DEMO_CITIZEN_ID, YHZGX: '02' }, { GMSFHM: DEMO_SPOUSE_ID, YHZGX: '12' }, { GMSFHM: DEMO_CHILD_ID, YHZGX: '21' }] },
];

/** 户号 of a citizen who heads a household of their own: nine digits derived from the ID (deterministic; invented). */
export function ownHouseholdNumber(id: string): string {
  const n = createHash('sha256').update(`household:${id}`).digest().readUInt32BE(0) % 900_000_000;
  return String(100_000_000 + n);
}

/**
 * 电子证照标识 of a member's page of the household register (居民户口簿), as the registry registered it
 * with the electronic licence library when it issued it: `DZZZ-HKB-<户号>-<nn>`, nn the member's place
 * in the household, the head 01 (invented format, see adapters/licenceLibrary/LEGACY.md).
 */
export function householdRegisterId(householdNumber: string, memberIndex: number): string {
  return `DZZZ-HKB-${householdNumber}-${String(memberIndex + 1).padStart(2, '0')}`;
}

/** mulberry32: a small, fast, seedable PRNG; Math.random would make every run different. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates `count` citizens (the demo citizen first); the first n are the same for any count ≥ n. */
export function generateCitizens(count: number = DEFAULT_CITIZENS, seed: number = DEFAULT_SEED): RegistryRow[] {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`count must be a positive integer, got ${count}.`);
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const totalWeight = ETHNICITY_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const ethnicity = (): string => {
    let r = int(totalWeight);
    for (const [name, w] of ETHNICITY_WEIGHTS) if ((r -= w) < 0) return name;
    return '汉族';
  };
  const rows: RegistryRow[] = [DEMO_CITIZEN];
  const seen = new Set([DEMO_CITIZEN_ID]);
  const from = Date.UTC(1930, 0, 1);
  const days = Math.floor((Date.UTC(2020, 11, 31) - from) / 86_400_000) + 1;
  while (rows.length < count) {
    const home = pick(SHENYANG_DIVISIONS);
    const roll = random();
    // Most IDs were issued where the resident lives; some under the retired 辽中 code or elsewhere.
    const idDivision = roll < 0.8 ? home.code : roll < 0.85 ? RETIRED_LIAOZHONG : pick(OTHER_ID_DIVISIONS);
    const registered = roll >= 0.8 && roll < 0.85 ? SHENYANG_DIVISIONS.find((d) => d.code === '210115')! : home;
    const birth = new Date(from + int(days) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const male = random() < 0.5;
    // The 17th digit is odd for men and even for women (GB 11643).
    const sequence = int(500) * 2 + (male ? 1 : 0);
    const first17 = `${idDivision}${birth}${String(sequence).padStart(3, '0')}`;
    const id = first17 + residentIdCheckDigit(first17);
    if (seen.has(id)) continue;
    seen.add(id);
    const given = male ? MALE_GIVEN : FEMALE_GIVEN;
    const name = pick(SURNAMES) + pick(given) + (random() < 0.7 ? pick(given) : '');
    const street = `${pick(registered.streets)}${1 + int(300)}号${1 + int(6)}单元${1 + int(18)}0${1 + int(4)}室`;
    const outside = random() < 0.02 ? pick(NON_SHENYANG_ADDRESSES) : undefined;
    rows.push({
      GMSFHM: id,
      XM: name,
      XB: male ? '男' : '女',
      MZ: ethnicity(),
      CSRQ: birth,
      HJDZ: outside ? `${outside.prefix}${pick(outside.streets)}${street.replace(/^\D+/, '')}` : `沈阳市${registered.name}${street}`,
      SSXQ: outside ? outside.code : registered.code,
      LXDH: random() < 0.1 ? '' : `1${pick(['3', '5', '8', '9'])}${String(int(1e9)).padStart(9, '0')}`,
      DJSJ: registrationTime(birth, int),
    });
  }
  return rows;
}

/** The first `n` resident IDs of a population generated with the same seed (default seed and size). */
export function listCitizenIds(n: number, seed: number = DEFAULT_SEED): string[] {
  return generateCitizens(Math.max(1, n), seed).slice(0, n).map((row) => row.GMSFHM);
}

function registrationTime(birth: string, int: (n: number) => number): string {
  const year = Math.max(Number(birth.slice(0, 4)) + 16, 2000) + int(5);
  const month = String(1 + int(12)).padStart(2, '0');
  const day = String(1 + int(28)).padStart(2, '0');
  const time = `${String(8 + int(9)).padStart(2, '0')}${String(int(60)).padStart(2, '0')}${String(int(60)).padStart(2, '0')}`;
  return `${Math.min(year, 2023)}${month}${day}${time}`;
}
