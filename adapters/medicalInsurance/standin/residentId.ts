/**
 * The stand-in's own small GB 11643 check. It is deliberately local: the stand-in plays the national
 * platform, which knows nothing of CityGraph's core, and must not change when core's validation does.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
/** Shenyang division codes, used to make plausible IDs for tests. */
const AREAS = ['210102', '210103', '210104', '210105', '210106', '210111', '210112', '210113', '210114', '210122', '210181'];

/** The check character (0-9 or X) of the first 17 digits of a resident ID. */
export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** True when `id` has 18 characters, a real birth date and the right GB 11643 check character. */
export function isValidResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  return checkChar(id.slice(0, 17)) === id[17];
}

/** A valid resident ID made from `seed` (same seed, same ID), for tests and fixture capture. */
export function makeResidentId(seed: number): string {
  const n = Math.abs(Math.trunc(seed));
  const area = AREAS[n % AREAS.length]!;
  const year = 1940 + (n * 7) % 66;
  const month = 1 + (n * 5) % 12;
  const day = 1 + (n * 11) % 28;
  const seq = String(n % 1000).padStart(3, '0');
  const first17 = `${area}${year}${pad2(month)}${pad2(day)}${seq}`;
  return first17 + checkChar(first17);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
