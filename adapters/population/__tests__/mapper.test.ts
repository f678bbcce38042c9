import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { ETHNICITIES, ethnicityOf } from '../ethnicities.ts';
import { mapCitizen, type CitizenRecord } from '../mapper.ts';

const raw = {
  GMSFHM: '210102198503152318',
  XM: '王立军',
  XB: '男',
  MZ: '汉族',
  CSRQ: '19850315',
  HJDZ: '沈阳市和平区南京北街123号2单元501室',
  SSXQ: '210102',
  LXDH: '13804001234',
  DJSJ: '20150512000000',
};

function mapped(overrides: Record<string, unknown>): CitizenRecord {
  const result = mapCitizen({ ...raw, ...overrides });
  if (result instanceof Error) throw result;
  return result;
}

function failure(overrides: Record<string, unknown>): { code: string; field: unknown; message: string } {
  const result = mapCitizen({ ...raw, ...overrides });
  if (!isCityGraphError(result)) throw new Error('expected the record to fail its check');
  return { code: result.code, field: result.details?.field, message: result.message };
}

describe('mapCitizen', () => {
  it('maps a registry record to the graph words and drops fields it does not whitelist', () => {
    expect(mapCitizen(raw)).toEqual({
      id: '210102198503152318',
      name: '王立军',
      gender: 'MALE',
      ethnicity: { code: '01', name: '汉族' },
      birthDate: '1985-03-15',
      address: { divisionCode: '210102', district: '和平区', text: '沈阳市和平区南京北街123号2单元501室' },
      phone: '13804001234',
    });
  });

  it('maps the four GB/T 2261.1 sexes given as text or as code', () => {
    expect(mapped({ XB: '女' }).gender).toBe('FEMALE');
    expect(mapped({ XB: '未知的性别' }).gender).toBe('UNKNOWN');
    expect(mapped({ XB: '未说明的性别' }).gender).toBe('UNSPECIFIED');
    expect(mapped({ XB: '2' }).gender).toBe('FEMALE');
  });

  it('accepts a birth date in the long yyyyMMddHHmmss form as well', () => {
    expect(mapped({ CSRQ: '19620128000000' }).birthDate).toBe('1962-01-28');
  });

  it('gives a null district for a division outside Shenyang and 辽中区 for the retired 210122', () => {
    expect(mapped({ SSXQ: '210202' }).address).toMatchObject({ divisionCode: '210202', district: null });
    expect(mapped({ SSXQ: '210122' }).address.district).toBe('辽中区');
  });

  it('maps an empty or missing phone to null', () => {
    expect(mapped({ LXDH: '' }).phone).toBeNull();
    expect(mapped({ LXDH: undefined }).phone).toBeNull();
  });

  it('turns an impossible birth date into ADAPTER_BAD_REPLY naming the graph field, not the wire field', () => {
    const f = failure({ CSRQ: '19850230' });
    expect(f).toMatchObject({ code: 'ADAPTER_BAD_REPLY', field: 'birthDate' });
    expect(f.message).not.toContain('CSRQ');
  });

  it('refuses an unknown ethnicity, an unknown sex, a missing name and a bad division code', () => {
    expect(failure({ MZ: '火星族' }).field).toBe('ethnicity');
    expect(failure({ XB: 'M' }).field).toBe('gender');
    expect(failure({ XM: undefined }).field).toBe('name');
    expect(failure({ SSXQ: '2101' }).field).toBe('address.divisionCode');
  });
});

describe('ethnicityOf', () => {
  it('knows all 56 groups of GB/T 3304 by two-digit code', () => {
    const groups = [...ETHNICITIES.keys()].filter((code) => Number(code) <= 56);
    expect(groups).toHaveLength(56);
    expect(groups.every((code, i) => code === String(i + 1).padStart(2, '0'))).toBe(true);
  });

  it('finds a group by name, by name without 族 and by code', () => {
    expect(ethnicityOf('锡伯族')).toEqual({ code: '38', name: '锡伯族' });
    expect(ethnicityOf('满')).toEqual({ code: '11', name: '满族' });
    expect(ethnicityOf('56')).toEqual({ code: '56', name: '基诺族' });
    expect(ethnicityOf('火星族')).toBeUndefined();
  });
});
