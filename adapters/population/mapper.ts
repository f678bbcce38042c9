/**
 * The only place where the registry's field names (GA/T 543 data elements) meet the graph's words.
 * Each raw record is checked with zod, then mapped by whitelist: a field not named here never leaves.
 */
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { shenyangDistrict } from './districts.ts';
import { ethnicityOf } from './ethnicities.ts';
import { populationError } from './faults.ts';

/** Sex as the graph names it (GB/T 2261.1). */
export type Gender = 'MALE' | 'FEMALE' | 'UNKNOWN' | 'UNSPECIFIED';

/** A citizen in the graph's words, as the population subgraph serves it. */
export interface CitizenRecord {
  /** Resident ID number (18 characters, uppercase X). */
  id: string;
  /** Name as registered. */
  name: string;
  /** Sex as registered. */
  gender: Gender;
  /** GB/T 3304 ethnic group, e.g. `{ code: '01', name: '汉族' }`. */
  ethnicity: { code: string; name: string };
  /** Birth date, `YYYY-MM-DD`. */
  birthDate: string;
  /** Registered (户籍) address with the division code of its district. */
  address: { divisionCode: string; district: string | null; text: string };
  /** Contact phone on file, or null when there is none. */
  phone: string | null;
}

// The registry prints sex as text (GB/T 2261.1 names); a few older feeds send the code instead.
const GENDERS: Readonly<Record<string, Gender>> = {
  男: 'MALE', 女: 'FEMALE', 未知的性别: 'UNKNOWN', 未说明的性别: 'UNSPECIFIED', 未知: 'UNKNOWN', 未说明: 'UNSPECIFIED',
  '1': 'MALE', '2': 'FEMALE', '0': 'UNKNOWN', '9': 'UNSPECIFIED',
};

/** The graph's name of each checked wire field, so an error never names a legacy field. */
const GRAPH_FIELD: Readonly<Record<string, string>> = {
  GMSFHM: 'id', XM: 'name', XB: 'gender', MZ: 'ethnicity', CSRQ: 'birthDate', HJDZ: 'address', SSXQ: 'address.divisionCode', LXDH: 'phone',
};

// Dates are mixed on the wire: yyyyMMdd here, yyyyMMddHHmmss elsewhere; both are accepted.
const compactDate = z
  .string()
  .trim()
  .regex(/^\d{8}(\d{6})?$/)
  .refine((v) => isCalendarDate(v.slice(0, 8)));

const RawCitizen = z.object({
  GMSFHM: z.string().trim().toUpperCase().regex(/^\d{17}[\dX]$/),
  XM: z.string().trim().min(1).max(64),
  XB: z.string().trim().refine((v) => v in GENDERS),
  MZ: z.string().refine((v) => ethnicityOf(v) !== undefined),
  CSRQ: compactDate,
  HJDZ: z.string().trim().min(1).max(256),
  SSXQ: z.string().trim().regex(/^\d{6}$/),
  LXDH: z.string().trim().max(32).optional(),
});

/** The resident ID a raw record claims to be about, or undefined when it has no readable one. */
export function rawCitizenId(raw: unknown): string | undefined {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).GMSFHM : undefined;
  return typeof id === 'string' ? id.trim().toUpperCase() : undefined;
}

/** Checks and maps one raw `<result>` record; a record that fails becomes an ADAPTER_BAD_REPLY error. */
export function mapCitizen(raw: unknown): CitizenRecord | CityGraphError {
  const parsed = RawCitizen.safeParse(raw);
  if (!parsed.success) {
    const wireField = String(parsed.error.issues[0]?.path[0] ?? '');
    return populationError({ kind: 'badRecord', field: GRAPH_FIELD[wireField] ?? 'record' });
  }
  const r = parsed.data;
  const phone = r.LXDH ?? '';
  return {
    id: r.GMSFHM,
    name: r.XM,
    gender: GENDERS[r.XB]!,
    ethnicity: ethnicityOf(r.MZ)!,
    birthDate: `${r.CSRQ.slice(0, 4)}-${r.CSRQ.slice(4, 6)}-${r.CSRQ.slice(6, 8)}`,
    address: { divisionCode: r.SSXQ, district: shenyangDistrict(r.SSXQ), text: r.HJDZ },
    phone: phone === '' ? null : phone,
  };
}

function isCalendarDate(yyyymmdd: string): boolean {
  const [y, m, d] = [Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1850 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
