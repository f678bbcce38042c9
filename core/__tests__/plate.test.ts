import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../errors.ts';
import { validatePlate } from '../plate.ts';

function ruleOf(input: string): unknown {
  try {
    validatePlate(input);
  } catch (e) {
    if (isCityGraphError(e)) return e.details?.rule;
    throw e;
  }
  return null;
}

describe('validatePlate', () => {
  it.each([
    ['辽A8K3F2', '辽A8K3F2', false],
    ['辽a·8k3f2', '辽A8K3F2', false],
    [' 辽A 12345 ', '辽A12345', false],
    ['辽A1234学', '辽A1234学', false],
    ['辽AD12345', '辽AD12345', true],
    ['辽AFB1234', '辽AFB1234', true],
    ['京A12345D', '京A12345D', true],
    ['粤BK00001', '粤BK00001', true],
  ])('accepts %s as %s (new energy: %s)', (input, plate, newEnergy) => {
    expect(validatePlate(input)).toEqual({ plate, newEnergy });
  });

  it.each([
    ['辽A8K3F', 'plateLength'],
    ['辽A8K3F2X9', 'plateLength'],
    ['', 'plateLength'],
    ['台A8K3F2', 'plateProvince'],
    ['AA8K3F2A', 'plateProvince'],
    ['辽18K3F2', 'plateAuthority'],
    ['辽I8K3F2', 'plateAuthority'],
    ['辽A8K3O2', 'plateSerial'],
    ['辽A8K学F2', 'plateSerial'],
    ['辽AX12345', 'plateNewEnergy'],
    ['辽AD1234A', 'plateNewEnergy'],
    ['辽A12345X', 'plateNewEnergy'],
  ])('refuses %s naming the rule %s', (input, rule) => {
    expect(ruleOf(input)).toBe(rule);
  });

  it('refuses a value that is not a string as a wrong length, without throwing anything else', () => {
    expect(ruleOf(42 as unknown as string)).toBe('plateLength');
  });
});
