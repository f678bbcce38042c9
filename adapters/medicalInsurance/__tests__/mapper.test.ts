import { parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import type { CityGraphError } from '../../../core/errors.ts';
import { mapPersonInfoReply } from '../mapper.ts';
import { toDecimal2 } from '../money.ts';
import { medicalInsuranceFault } from '../faults.ts';

const ID = '210102198503152318';
/** A 1101 success reply whose insuinfo entries are written as raw JSON text. */
const reply = (...entries: string[]) => parse(
  `{"infcode":0,"err_msg":null,"output":{"baseinfo":{"certno":"${ID}"},"insuinfo":[${entries.join(',')}],"idetinfo":[]}}`,
);
const entry = (fields: Partial<Record<'balc' | 'insutype' | 'stas' | 'date' | 'place', string>> = {}) =>
  `{"balc":${fields.balc ?? '1523.40'},"insutype":"${fields.insutype ?? '310'}","psn_insu_stas":"${fields.stas ?? '1'}",`
  + `"psn_insu_date":"${fields.date ?? '2008-07-01'}","insuplc_admdvs":"${fields.place ?? '210199'}"}`;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as CityGraphError).code;
  }
};

describe('toDecimal2', () => {
  it('pads amounts to exactly two decimals using their text', () => {
    expect(['1523.4', '1523.40', '12', '0.1', '12345678.91', '99999999999999999.99', '-0.00'].map(toDecimal2))
      .toEqual(['1523.40', '1523.40', '12.00', '0.10', '12345678.91', '99999999999999999.99', '0.00']);
  });

  it('refuses a third decimal, an exponent or anything that is not a plain decimal', () => {
    expect(['1523.401', '1.5e3', '01.00', '', '.5', 'NaN'].map(toDecimal2)).toEqual([null, null, null, null, null, null]);
  });
});

describe('mapPersonInfoReply', () => {
  it('normalises a balance sent with one decimal to two', () => {
    expect(mapPersonInfoReply(reply(entry({ balc: '1523.4' })), ID)?.balance).toBe('1523.40');
  });

  it('rejects a balance with more than two decimals as a bad reply', () => {
    expect(codeOf(() => mapPersonInfoReply(reply(entry({ balc: '1523.405' })), ID))).toBe('ADAPTER_BAD_REPLY');
  });

  it('maps every known status and type code', () => {
    const map = (stas: string, insutype: string) => mapPersonInfoReply(reply(entry({ stas, insutype })), ID);
    expect([map('1', '310'), map('2', '390'), map('4', '310')].map((r) => [r?.status, r?.type])).toEqual([
      ['ACTIVE', 'EMPLOYEE'], ['SUSPENDED', 'RESIDENT'], ['TERMINATED', 'EMPLOYEE'],
    ]);
  });

  it('rejects unknown status codes and insurance types that are not three-digit codes as a bad reply', () => {
    expect(codeOf(() => mapPersonInfoReply(reply(entry({ stas: '3' })), ID))).toBe('ADAPTER_BAD_REPLY');
    expect(codeOf(() => mapPersonInfoReply(reply(entry({ stas: 'toString' })), ID))).toBe('ADAPTER_BAD_REPLY');
    for (const insutype of ['', '31', '3100', 'abc', 'toString']) {
      expect(codeOf(() => mapPersonInfoReply(reply(entry({ insutype })), ID)), insutype).toBe('ADAPTER_BAD_REPLY');
    }
  });

  it('maps the national insurance type codes, keeping the code beside the type', () => {
    const typeOf = (insutype: string) => {
      const r = mapPersonInfoReply(reply(entry({ insutype })), ID);
      return [r?.type, r?.typeCode];
    };
    expect(['310', '320', '330', '340', '390', '391', '392', '410', '510'].map(typeOf)).toEqual([
      ['EMPLOYEE', '310'], ['CIVIL_SERVANT_SUBSIDY', '320'], ['LARGE_EXPENSE_SUBSIDY', '330'], ['RETIRED_CADRE', '340'],
      ['RESIDENT', '390'], ['URBAN_RESIDENT', '391'], ['RESIDENT_SERIOUS_ILLNESS', '392'], ['LONG_TERM_CARE', '410'], ['MATERNITY', '510'],
    ]);
  });

  it('passes a code the platform added later on as OTHER with its code, instead of losing the record', () => {
    const r = mapPersonInfoReply(reply(entry({ insutype: '999', balc: '12.30' })), ID);
    expect([r?.type, r?.typeCode, r?.balance, r?.status]).toEqual(['OTHER', '999', '12.30', 'ACTIVE']);
  });

  it('keeps the whole record of a person who also has a 320, 330, 340 or 510 entry, preferring the basic scheme', () => {
    for (const extra of ['320', '330', '510']) {
      const r = mapPersonInfoReply(reply(
        entry({ insutype: '310', date: '2008-07-01', balc: '1523.40' }),
        entry({ insutype: extra, date: '2015-01-01', balc: '0.00' }),
      ), ID);
      expect([r?.type, r?.balance], extra).toEqual(['EMPLOYEE', '1523.40']);
    }
    expect(mapPersonInfoReply(reply(entry({ insutype: '340' })), ID)?.type).toBe('RETIRED_CADRE');
    // An active supplement still wins over a terminated basic scheme: it is what the person holds now.
    const onlySupplementActive = mapPersonInfoReply(reply(entry({ insutype: '310', stas: '4' }), entry({ insutype: '330', date: '2001-01-01' })), ID);
    expect(onlySupplementActive?.type).toBe('LARGE_EXPENSE_SUBSIDY');
  });

  it('prefers an active entry, then the one that began last', () => {
    const picked = mapPersonInfoReply(reply(
      entry({ stas: '4', date: '2020-01-01', balc: '1.00' }),
      entry({ stas: '1', date: '2010-01-01', balc: '2.00' }),
      entry({ stas: '2', date: '2022-01-01', balc: '3.00' }),
    ), ID);
    expect(picked?.balance).toBe('2.00');
    const noneActive = mapPersonInfoReply(reply(entry({ stas: '4', date: '2012-01-01', balc: '1.00' }), entry({ stas: '2', date: '2019-05-01', balc: '3.00' })), ID);
    expect(noneActive?.balance).toBe('3.00');
  });

  it('accepts a date with a time appended and rejects an impossible one', () => {
    expect(mapPersonInfoReply(reply(entry({ date: '2008-07-01 00:00:00' })), ID)?.insuredSince).toBe('2008-07-01');
    expect(codeOf(() => mapPersonInfoReply(reply(entry({ date: '2008-02-30' })), ID))).toBe('ADAPTER_BAD_REPLY');
  });

  it('answers null for a success without any insurance entry', () => {
    expect(mapPersonInfoReply(reply(), ID)).toBeNull();
  });

  it('rejects a balance sent as a string or an infcode other than 0 and -1', () => {
    expect(codeOf(() => mapPersonInfoReply(reply(entry({ balc: '"1523.40"' })), ID))).toBe('ADAPTER_BAD_REPLY');
    expect(codeOf(() => mapPersonInfoReply(parse('{"infcode":1,"err_msg":"x"}'), ID))).toBe('ADAPTER_BAD_REPLY');
  });

  it('treats only the not-found message of an infcode -1 as "not insured"', () => {
    expect(mapPersonInfoReply(parse('{"infcode":-1,"err_msg":"未查询到人员参保信息","output":null}'), ID)).toBeNull();
    expect(codeOf(() => mapPersonInfoReply(parse('{"infcode":-1,"err_msg":"证件号码不能为空","output":null}'), ID))).toBe('LEGACY_ERROR');
  });
});

describe('medicalInsuranceFault', () => {
  it('gives every fault its code and the department, keeping the legacy text out of the message', () => {
    const busy = medicalInsuranceFault({ kind: 'infcode', errMsg: '系统繁忙' })!;
    expect([busy.code, busy.department, busy.message.includes('系统')]).toEqual(['LEGACY_ERROR', 'medicalInsurance', false]);
    expect(medicalInsuranceFault({ kind: 'http', status: 503 }).code).toBe('ADAPTER_BAD_REPLY');
    expect(medicalInsuranceFault({ kind: 'notJson' }).code).toBe('ADAPTER_BAD_REPLY');
    const shape = medicalInsuranceFault({ kind: 'badShape', reason: 'insuinfo[0].balc is wrong' });
    expect([shape.code, shape.message.includes('balc')]).toEqual(['ADAPTER_BAD_REPLY', false]);
    expect(medicalInsuranceFault({ kind: 'network', cause: new Error('ECONNRESET') }).code).toBe('ADAPTER_UNAVAILABLE');
  });
});
