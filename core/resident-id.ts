/**
 * Resident ID numbers (公民身份号码, GB 11643-1999), checked at the edge by every subgraph so that a
 * bad ID is a BAD_USER_INPUT naming the failed rule, never a legacy round trip.
 */
import { badInput } from './errors.ts';

/** Rules an ID can fail, in the order they are checked. */
export type ResidentIdRule = 'length' | 'charset' | 'province' | 'birthDate' | 'checkDigit';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

// Province-level codes (GB/T 2260). Only the province is checked: an ID keeps the division code of the
// office that issued it, including codes retired since (辽中 210122), so city codes cannot be checked.
const PROVINCES = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** The earliest birth date accepted; older dates are data-entry errors, not people. */
const EARLIEST_BIRTH = '19000101';

/** The check character for the first 17 digits of an ID (weights 7 9 10 5 8 4 2 1 6 3 …, mod 11). */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new TypeError(`residentIdCheckDigit needs exactly 17 digits, got ${first17.length} characters.`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Masks an ID for messages and logs: first 4 and last 4 kept, e.g. `2101**********2318`. */
export function maskResidentId(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/**
 * Returns the normalised ID (a lowercase `x` check digit made uppercase) or throws a BAD_USER_INPUT
 * CityGraphError whose `details.rule` names the failed rule. `today` is for tests only.
 */
export function validateResidentId(id: string, today: Date = new Date()): string {
  if (typeof id !== 'string') throw badInput('A resident ID must be a string of 18 characters.', 'length');
  const value = id.trim().toUpperCase();
  // Messages show the ID as the person typed it, masked: they must recognise it without it leaking.
  const shown = `Resident ID ${shortMask(value)}`;
  if (value.length !== 18) {
    throw badInput(`${shown} has ${value.length} characters; a resident ID has 18.`, 'length');
  }
  if (!/^\d{17}[\dX]$/.test(value)) {
    throw badInput(`${shown} may only contain digits, with a digit or X as the last character.`, 'charset');
  }
  if (!PROVINCES.has(value.slice(0, 2))) {
    throw badInput(`${shown} starts with ${value.slice(0, 2)}, which is not a province code.`, 'province');
  }
  const birth = value.slice(6, 14);
  if (!isCalendarDate(birth)) {
    throw badInput(`${shown} contains the birth date ${formatDate(birth)}, which does not exist.`, 'birthDate');
  }
  if (birth < EARLIEST_BIRTH || birth > compactDate(today)) {
    throw badInput(`${shown} contains the birth date ${formatDate(birth)}, which is outside 1900-01-01 to today.`, 'birthDate');
  }
  const expected = residentIdCheckDigit(value.slice(0, 17));
  if (value[17] !== expected) {
    throw badInput(`${shown} has a wrong check digit: expected ${expected}.`, 'checkDigit');
  }
  return value;
}

/** True when `id` passes every rule of validateResidentId. */
export function isValidResidentId(id: string): boolean {
  try {
    validateResidentId(id);
    return true;
  } catch {
    return false;
  }
}

/** `2101…2318`: the short form used inside sentences. */
function shortMask(id: string): string {
  return id.length <= 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

function isCalendarDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function compactDate(date: Date): string {
  // The local calendar day: someone born today in China is not "in the future" at 07:00 UTC+8.
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}${m}${d}`;
}

function formatDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}
