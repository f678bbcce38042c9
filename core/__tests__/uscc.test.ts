import { describe, expect, it } from 'vitest';
import { isValidUscc, usccCheckCharacter, validateUscc, withUsccCheck } from '../uscc.ts';

/** Codes of large listed companies, as published on their licences. */
const REAL = {
  alibabaChina: '91330100799655058B',
  tencentShenzhen: '91440300708461136T',
  huawei: '914403001922038216',
  petroChina: '91110000710925462X',
  xiaomi: '91110108551385082Q',
};

function ruleOf(code: string): unknown {
  try {
    validateUscc(code);
    return null;
  } catch (e) {
    return (e as { code: string; details: { rule: string } }).code === 'BAD_USER_INPUT' ? (e as { details: { rule: string } }).details.rule : e;
  }
}

describe('validateUscc', () => {
  it('accepts the real codes of large listed companies', () => {
    for (const code of Object.values(REAL)) expect(validateUscc(code)).toBe(code);
  });

  it('normalises lower case and surrounding spaces', () => {
    expect(validateUscc(` ${REAL.alibabaChina.toLowerCase()} `)).toBe(REAL.alibabaChina);
  });

  it('names the length rule for a code that is too short or too long', () => {
    expect(ruleOf(REAL.huawei.slice(0, 17))).toBe('length');
    expect(ruleOf(`${REAL.huawei}0`)).toBe('length');
    expect(ruleOf('')).toBe('length');
  });

  it('names the charset rule for I, O, S, V, Z and anything outside the 31 characters', () => {
    for (const c of ['I', 'O', 'S', 'V', 'Z', '-', '中']) expect(ruleOf(`9121010${c}MA0Y8D2Q44`)).toBe('charset');
  });

  it('names the division rule when characters 3–8 are not six digits', () => {
    expect(ruleOf(withUsccCheck('9121A102MA0Y8D2Q4'))).toBe('division');
  });

  it('names the check character rule for one changed character, and says which one is expected', () => {
    expect(ruleOf('91330100799655058C')).toBe('checkCharacter');
    expect(() => validateUscc('91330100799655058C')).toThrow(/expected B/);
    // A swap of two neighbours is caught too (the weights differ).
    expect(ruleOf('91330100796955058B')).toBe('checkCharacter');
  });

  it('computes the check character with weights 3^i mod 31', () => {
    expect(usccCheckCharacter('91440300708461136')).toBe('T');
    expect(isValidUscc(withUsccCheck('91210102MA0Y8D2Q4'))).toBe(true);
    expect(() => usccCheckCharacter('123')).toThrow(TypeError);
  });
});
