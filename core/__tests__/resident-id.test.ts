import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../errors.ts';
import { isValidResidentId, maskResidentId, residentIdCheckDigit, validateResidentId } from '../resident-id.ts';

/** Builds a valid ID from its first 17 digits, so tests do not hard-code check digits. */
function withCheck(first17: string): string {
  return first17 + residentIdCheckDigit(first17);
}

/** The rule named by the error validateResidentId throws, or 'none'. */
function failedRule(id: string, today?: Date): string {
  try {
    validateResidentId(id, today);
    return 'none';
  } catch (e) {
    if (!isCityGraphError(e)) throw e;
    expect(e.code).toBe('BAD_USER_INPUT');
    return String(e.details?.rule);
  }
}

describe('residentIdCheckDigit', () => {
  it('computes the GB 11643 check character for the demo citizen and the standard example', () => {
    expect(residentIdCheckDigit('21010219850315231')).toBe('8');
    expect(residentIdCheckDigit('11010519491231002')).toBe('X');
  });

  it('refuses input that is not exactly 17 digits', () => {
    expect(() => residentIdCheckDigit('2101021985031523')).toThrow(TypeError);
    expect(() => residentIdCheckDigit('2101021985031523A')).toThrow(TypeError);
  });
});

describe('validateResidentId', () => {
  it('accepts the demo citizen of Shenyang', () => {
    expect(validateResidentId('210102198503152318')).toBe('210102198503152318');
  });

  it('accepts IDs issued in other provinces', () => {
    for (const prefix of ['110105', '310104', '440304', '650102', '810000', '710000', '540102']) {
      const id = withCheck(`${prefix}19900101123`);
      expect(failedRule(id)).toBe('none');
    }
  });

  it('accepts an ID under the retired Liaozhong county code 210122', () => {
    expect(failedRule(withCheck('21012219700101001'))).toBe('none');
  });

  it('accepts an X check digit and normalises a lowercase x to uppercase', () => {
    expect(validateResidentId('11010519491231002x')).toBe('11010519491231002X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
  });

  it('names the length rule for IDs that are not 18 characters long', () => {
    expect(failedRule('21010219850315231')).toBe('length');
    expect(failedRule('2101021985031523188')).toBe('length');
    expect(failedRule('')).toBe('length');
  });

  it('names the charset rule for letters anywhere but an X at the end', () => {
    expect(failedRule('21010219850315231A')).toBe('charset');
    expect(failedRule('2101021985031523X8')).toBe('charset');
  });

  it('names the province rule for a code that is no province', () => {
    expect(failedRule(withCheck('99010219850315231'))).toBe('province');
    expect(failedRule(withCheck('20010219850315231'))).toBe('province');
  });

  it('names the birthDate rule for 29 February in a year that is not a leap year', () => {
    expect(failedRule(withCheck('21010219990229001'))).toBe('birthDate');
    expect(failedRule(withCheck('21010220000229001'))).toBe('none');
  });

  it('names the birthDate rule for a month 13, a date before 1900 and a date in the future', () => {
    expect(failedRule(withCheck('21010219851315231'))).toBe('birthDate');
    expect(failedRule(withCheck('21010218991231001'))).toBe('birthDate');
    expect(failedRule(withCheck('21010220300101001'), new Date(2024, 4, 20))).toBe('birthDate');
    expect(failedRule(withCheck('21010220240520001'), new Date(2024, 4, 20))).toBe('none');
  });

  it('names the checkDigit rule and tells the expected digit, with the ID masked', () => {
    try {
      validateResidentId('210102198503152317');
      expect.unreachable('a wrong check digit must throw');
    } catch (e) {
      if (!isCityGraphError(e)) throw e;
      expect(e.details?.rule).toBe('checkDigit');
      expect(e.message).toContain('expected 8');
      expect(e.message).toContain('2101…2317');
      expect(e.message).not.toContain('210102198503152317');
    }
  });
});

describe('maskResidentId', () => {
  it('keeps the first and last four characters only', () => {
    expect(maskResidentId('210102198503152318')).toBe('2101**********2318');
  });

  it('masks short input entirely', () => {
    expect(maskResidentId('1234567')).toBe('*******');
  });
});
