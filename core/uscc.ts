/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015), checked at the edge so that a bad code is
 * a BAD_USER_INPUT naming the failed rule, never a registry round trip.
 */
import { badInput } from './errors.ts';

/** Rules a code can fail, in the order they are checked. */
export type UsccRule = 'length' | 'charset' | 'division' | 'checkCharacter';

/** The 31 characters of GB 32100 (no I, O, S, V, Z: they look like 1, 0, 5, U, 2). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// Weight of position i is 3^i mod 31.
const WEIGHTS = Array.from({ length: 17 }, (_, i) => Number(3n ** BigInt(i) % 31n));
const VALUE = new Map([...USCC_CHARSET].map((c, i) => [c, i]));

/** The check character for the first 17 characters of a code; throws a TypeError for anything else. */
export function usccCheckCharacter(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17 || ![...first17].every((c) => VALUE.has(c))) {
    throw new TypeError('usccCheckCharacter needs exactly 17 characters of the GB 32100 charset.');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += VALUE.get(first17[i]!)! * WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/**
 * Returns the normalised code (trimmed, upper case) or throws BAD_USER_INPUT whose `details.rule` names
 * the failed rule: `length` (18 characters), `charset` (GB 32100's 31 characters), `division` (characters
 * 3–8 are a division code: six digits), `checkCharacter`.
 */
export function validateUscc(code: string): string {
  if (typeof code !== 'string') throw badInput('A unified social credit code must be a string of 18 characters.', 'length');
  const value = code.trim().toUpperCase();
  if (value.length !== 18) {
    throw badInput(`A unified social credit code has 18 characters; ${value.length} were given.`, 'length');
  }
  const bad = [...value].findIndex((c) => !VALUE.has(c));
  if (bad >= 0) {
    throw badInput(
      `Character ${bad + 1} of the unified social credit code is not allowed: only digits and the letters ${USCC_CHARSET.slice(10)} are used (no I, O, S, V, Z).`,
      'charset',
      { position: bad + 1 },
    );
  }
  if (!/^\d{6}$/.test(value.slice(2, 8))) {
    throw badInput('Characters 3 to 8 of a unified social credit code are the six digits of a division code.', 'division');
  }
  const expected = usccCheckCharacter(value.slice(0, 17));
  if (value[17] !== expected) {
    throw badInput(`The unified social credit code has a wrong check character (the 18th): expected ${expected}. Check the code for a typo.`, 'checkCharacter');
  }
  return value;
}

/** True when `code` passes every rule of validateUscc. */
export function isValidUscc(code: string): boolean {
  try {
    validateUscc(code);
    return true;
  } catch {
    return false;
  }
}

/** Makes a valid code from its first 17 characters (seeding and tests). */
export function withUsccCheck(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}
