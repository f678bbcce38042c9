import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { comparableName, sameName, validatePersonName } from '../names.ts';

function ruleOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCityGraphError(e) && e.code === 'BAD_USER_INPUT' ? String(e.details?.rule) : 'not BAD_USER_INPUT';
  }
  return undefined;
}

describe('person names', () => {
  it('are trimmed and accepted from 1 to 64 characters, counted as characters, not UTF-16 units', () => {
    expect(validatePersonName('  王立军 ')).toBe('王立军');
    expect(validatePersonName('𠀀'.repeat(64))).toBe('𠀀'.repeat(64));
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['65 characters', '王'.repeat(65)],
  ])('are refused when %s, naming the nameLength rule', (_label, name) => {
    expect(ruleOf(() => validatePersonName(name))).toBe('nameLength');
  });

  it('are refused with control characters, naming the nameCharset rule', () => {
    expect(ruleOf(() => validatePersonName('王\u0000立军'))).toBe('nameCharset');
  });

  it('compare equal across full-width letters, look-alike separating dots, spacing and case', () => {
    expect(sameName('买买提·艾力', '买买提.艾力')).toBe(true);
    expect(sameName('买买提·艾力', '买买提・艾力')).toBe(true);
    expect(sameName('买买提·艾力', '买买提 · 艾力')).toBe(true);
    expect(sameName('ＪＯＨＮ Smith', 'john  smith')).toBe(true);
    expect(comparableName(' 王立军 ')).toBe('王立军');
  });

  it('compare unequal when a character differs', () => {
    expect(sameName('王立军', '王力军')).toBe(false);
    expect(sameName('王立军', '王立')).toBe(false);
  });
});
