/**
 * Chinese motor-vehicle plates (GA 36-2018), checked at the edge before any legacy call. A bad plate is
 * BAD_USER_INPUT naming the rule that failed: `plateLength`, `plateProvince`, `plateAuthority`,
 * `plateSerial`, `plateNewEnergy`.
 */
import { badInput } from './errors.ts';

/** The 31 provincial abbreviations that start a civilian plate. */
export const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

/** Letters a serial may hold: I and O are never issued (they read as 1 and 0). */
const SERIAL_CHAR = '[A-HJ-NP-Z0-9]';
/** An issuing-authority letter (辽A = Shenyang); I and O are not used. */
const AUTHORITY = /^[A-HJ-NP-Z]$/;
/** Ordinary plates: five serial characters. */
const ORDINARY = new RegExp(`^${SERIAL_CHAR}{5}$`);
/** Coach, trailer, police, Hong Kong and Macau entry plates: four serial characters and a marker. */
const MARKED = new RegExp(`^${SERIAL_CHAR}{4}[学挂警港澳]$`);
/** Small new-energy plates: D/A/B/C/E (pure electric) or F/G/H/J/K (other), one character, four digits. */
const NEW_ENERGY_SMALL = new RegExp(`^[ABCDEFGHJK]${SERIAL_CHAR}\\d{4}$`);
/** Large new-energy plates: five digits, then D (pure electric) or F (other). */
const NEW_ENERGY_LARGE = /^\d{5}[DF]$/;

/** A plate as the graph knows it. */
export interface Plate {
  /** Normalised text, e.g. `辽A8K3F2` (upper case, no spaces or separators). */
  plate: string;
  /** True for the 8-character green plates of new-energy vehicles. */
  newEnergy: boolean;
}

/**
 * Validates and normalises a plate: spaces, `·` and `-` are removed and letters upper-cased
 * (`辽a·8k3f2` → `辽A8K3F2`). Throws BAD_USER_INPUT naming the failed rule.
 */
export function validatePlate(input: string): Plate {
  const plate = typeof input === 'string' ? input.normalize('NFKC').replace(/[\s·•.-]/g, '').toUpperCase() : '';
  const chars = [...plate];
  if (chars.length !== 7 && chars.length !== 8) {
    throw badInput('A plate has 7 characters (e.g. 辽A8K3F2), or 8 for a new-energy vehicle (e.g. 辽AD12345).', 'plateLength');
  }
  if (!PLATE_PROVINCES.includes(chars[0]!)) {
    throw badInput(`A plate starts with a province's abbreviation (${PLATE_PROVINCES}), e.g. 辽 for Liaoning.`, 'plateProvince');
  }
  if (!AUTHORITY.test(chars[1]!)) {
    throw badInput('The second character of a plate is the issuing authority\'s letter (A–Z without I and O), e.g. A in 辽A.', 'plateAuthority');
  }
  const serial = chars.slice(2).join('');
  if (chars.length === 8) {
    if (!NEW_ENERGY_SMALL.test(serial) && !NEW_ENERGY_LARGE.test(serial)) {
      throw badInput(
        'An 8-character (new-energy) plate continues with D, A, B, C, E, F, G, H, J or K, one letter or digit and four digits (辽AD12345), or five digits and D or F (辽A12345D).',
        'plateNewEnergy',
      );
    }
    return { plate, newEnergy: true };
  }
  if (!ORDINARY.test(serial) && !MARKED.test(serial)) {
    throw badInput('After 辽A a plate has five letters or digits (no I or O), or four and one of 学 挂 警 港 澳.', 'plateSerial');
  }
  return { plate, newEnergy: false };
}
