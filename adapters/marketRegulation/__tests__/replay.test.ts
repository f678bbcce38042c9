/** The registry adapter against replies captured from the stand-in (fixtures/capture.ts), both shapes, replayed with nock. */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isValidUscc } from '../../../core/uscc.ts';
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { createMarketRegulationAdapter, type EnterpriseRecord } from '../index.ts';
import { DEMO_CLOSED_USCC, DEMO_ENTERPRISE_USCC, generateEnterprises, SAMR_BY_CODE, SAMR_BY_LEREP, SHARING_PATH } from '../standin/index.ts';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const BASE = 'http://registry.test';
const ctx = { requestId: 'req-replay-ent-1' };
const adapter = (source: 'samr' | 'sharing' = 'samr') => createMarketRegulationAdapter({ url: BASE, source, retries: 0, timeoutMs: 1000 });
const codeOf = (slot: unknown) => (slot as { code?: string })?.code;

const DEMO: EnterpriseRecord = {
  uscc: DEMO_ENTERPRISE_USCC,
  name: '沈阳立军精密机床有限公司',
  legalRepresentative: { name: '王立军', citizenId: DEMO_CITIZEN_ID },
  registeredCapital: '500',
  establishedOn: '2016-08-18',
  approvedOn: '2023-03-09',
  registrationAuthority: '沈阳市和平区市场监督管理局',
  type: '有限责任公司（自然人投资或控股）',
  status: 'ACTIVE',
  address: '辽宁省沈阳市和平区南京北街123号',
  businessScope: '数控机床及配件的研发、生产、销售；机械设备维修；货物进出口。',
  operatingPeriod: { from: '2016-08-18', to: null },
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('enterprise registry adapter against captured replies', () => {
  it('maps a SAMR reply exactly, capital as exact decimal text (500.000000 → "500", 3.500000 → "3.5")', async () => {
    const scope = nock(BASE).get(SAMR_BY_CODE).query({ uniscids: `${DEMO_ENTERPRISE_USCC},${DEMO_CLOSED_USCC}` }).reply(200, fixture('samr-baseinfo-demo.json'));
    const [demo, closed] = await adapter().loadEnterprises([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC], ctx);
    expect(demo).toStrictEqual(DEMO);
    expect(closed).toMatchObject({ status: 'DEREGISTERED', registeredCapital: '3.5', operatingPeriod: { from: '2011-04-02', to: '2021-04-01' } });
    expect(scope.isDone()).toBe(true);
  });

  it('maps the sharing platform\'s pinyin shape to the very same records', async () => {
    nock(BASE).get(SHARING_PATH).query({ shtyxydm: `${DEMO_ENTERPRISE_USCC},${DEMO_CLOSED_USCC}` }).reply(200, fixture('sharing-qyjbxx-demo.json'));
    const fromSharing = await adapter('sharing').loadEnterprises([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC], ctx);
    nock(BASE).get(SAMR_BY_CODE).query(true).reply(200, fixture('samr-baseinfo-demo.json'));
    const fromSamr = await adapter().loadEnterprises([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC], ctx);
    expect(fromSharing).toStrictEqual(fromSamr);
  });

  it('reads a SAMR endpoint that answers in the other field-name shape (the city platform proxying it)', async () => {
    nock(BASE).get(SAMR_BY_CODE).query(true).reply(200, fixture('samr-other-shape.json'));
    const [demo] = await adapter().loadEnterprises([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC], ctx);
    expect(demo).toStrictEqual(DEMO);
  });

  it('finds the enterprises a citizen represents, in both shapes, and none for someone else', async () => {
    nock(BASE).get(SAMR_BY_LEREP).query({ cernos: `${DEMO_CITIZEN_ID},110101199003070011` }).reply(200, fixture('samr-lerep-demo.json'));
    const [mine, nobody] = await adapter().loadRepresented([DEMO_CITIZEN_ID, '110101199003070011'], ctx);
    expect((mine as EnterpriseRecord[]).map((e) => e.uscc).sort()).toEqual([DEMO_ENTERPRISE_USCC, DEMO_CLOSED_USCC].sort());
    expect(nobody).toEqual([]);
    nock(BASE).get(SHARING_PATH).query({ fddbrzjhm: DEMO_CITIZEN_ID }).reply(200, fixture('sharing-qyjbxx-lerep-demo.json'));
    const [viaSharing] = await adapter('sharing').loadRepresented([DEMO_CITIZEN_ID], ctx);
    expect(viaSharing).toStrictEqual(mine);
  });

  it('splits 45 distinct codes into calls of at most 20, deduplicated, answering in key order', async () => {
    const codes = generateEnterprises(60).slice(2, 47).map((e) => e.UNISCID);
    const seen: number[] = [];
    // nock 15 hands a reply function the intercepted request as a fetch Request.
    nock(BASE).get(SAMR_BY_CODE).query(true).times(3).reply(async (req: Request) => {
      const asked = new URL(req.url).searchParams.get('uniscids')!.split(',');
      seen.push(asked.length);
      return [200, '{"code":"200","message":"查询成功","data":[]}', { 'content-type': 'application/json' }];
    });
    const slots = await adapter().loadEnterprises([...codes, codes[0]!], ctx);
    expect(seen.sort((a, b) => a - b)).toEqual([5, 20, 20]);
    expect(slots).toHaveLength(46);
    expect(slots.every((s) => s === null)).toBe(true);
  });

  it('gives every failure its code and the department, and no registry text in the message', async () => {
    const cases: Array<[number, string, string]> = [
      [200, fixture('samr-busy.json'), 'LEGACY_ERROR'],
      [200, fixture('samr-bad-shape.json'), 'ADAPTER_BAD_REPLY'],
      [200, fixture('maintenance.html'), 'ADAPTER_BAD_REPLY'],
      [502, '<html>502</html>', 'ADAPTER_BAD_REPLY'],
      [200, '{"code":"200","message":"ok","data":[{"UNISCID":"91210102MA0Y8D2Q44","ENTNAME":"x","NAME":"y","REGCAP":1.5e3,"ESTDATE":"2016-08-18","REGORG_CN":"a","ENTTYPE_CN":"b","DOM":"c","OPSCOPE":"d","REGSTATE":"1"}]}', 'ADAPTER_BAD_REPLY'],
      [200, '{"code":"200","message":"ok","data":[{"UNISCID":"91210102MA0Y8D2Q44","ENTNAME":"x","NAME":"y","REGCAP":1,"ESTDATE":"2016-08-18","REGORG_CN":"a","ENTTYPE_CN":"b","DOM":"c","OPSCOPE":"d","REGSTATE":"7"}]}', 'ADAPTER_BAD_REPLY'],
    ];
    for (const [status, body, code] of cases) {
      nock(BASE).get(SAMR_BY_CODE).query(true).reply(status, body);
      const [slot] = await adapter().loadEnterprises([DEMO_ENTERPRISE_USCC], ctx);
      expect(codeOf(slot), body.slice(0, 40)).toBe(code);
      expect((slot as { department?: string }).department).toBe('marketRegulation');
      expect((slot as Error).message).not.toMatch(/系统繁忙|UNISCID|registry\.test/);
    }
  });

  it('seeds at least 2,000 enterprises with valid codes, Shenyang addresses and many citizen representatives', () => {
    const all = generateEnterprises();
    expect(all.length).toBeGreaterThanOrEqual(2000);
    expect(all.every((e) => isValidUscc(e.UNISCID) && e.DOM.startsWith('辽宁省沈阳市'))).toBe(true);
    expect(new Set(all.map((e) => e.UNISCID)).size).toBe(all.length);
    expect(all.filter((e) => /^21/.test(e.CERNO)).length).toBeGreaterThan(all.length / 2);
  });
});
