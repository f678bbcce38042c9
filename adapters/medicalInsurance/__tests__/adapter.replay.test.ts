import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCityGraphError, type CityGraphError } from '../../../core/errors.ts';
import { createMedicalInsuranceAdapter } from '../index.ts';
import { CALL_SERVICE_PATH } from '../client.ts';

// Reply bodies captured from the stand-in by fixtures/capture.ts, replayed byte for byte.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const people = JSON.parse(fixture('people.json')) as Record<string, string>;
const BASE = 'http://platform.test';
const ctx = { requestId: 'req-replay-1' };

/** Answers each certno with its fixture; `bodies` maps certno → [status, body, content-type]. */
function platform(bodies: Record<string, [number, string, string?]>, times = 1): nock.Scope {
  return nock(BASE)
    .post(CALL_SERVICE_PATH)
    .times(times)
    // nock 15 hands a reply function the intercepted request as a fetch Request.
    .reply(async (req: Request) => {
      const certno = ((await req.json()) as { input: { data: { certno: string } } }).input.data.certno;
      const [status, text, type = 'application/json;charset=UTF-8'] = bodies[certno] ?? [500, 'no fixture'];
      return [status, text, { 'content-type': type }];
    });
}

function adapter() {
  return createMedicalInsuranceAdapter({ url: BASE, retries: 0, timeoutMs: 1000 });
}

function codeOf(slot: unknown): string | undefined {
  return isCityGraphError(slot) ? (slot as CityGraphError).code : undefined;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('medical insurance adapter against captured platform replies', () => {
  it('returns balances as the exact decimal text of the reply, never rounded through a float', async () => {
    const ids = [people['demo']!, people['balc-70.07']!, people['balc-0.10']!, people['balc-12345678.91']!];
    const scope = platform(Object.fromEntries([
      [ids[0], [200, fixture('1101-demo.json')]],
      [ids[1], [200, fixture('1101-balc-70.07.json')]],
      [ids[2], [200, fixture('1101-balc-0.10.json')]],
      [ids[3], [200, fixture('1101-balc-12345678.91.json')]],
    ]), 4);
    const slots = await adapter().loadInsurance(ids, ctx);
    expect(slots.map((s) => (s as { balance: string }).balance)).toEqual(['1523.40', '70.07', '0.10', '12345678.91']);
    expect(scope.isDone()).toBe(true);
  });

  it('maps the demo citizen to the graph\'s Insurance shape and nothing else', async () => {
    platform({ [people['demo']!]: [200, fixture('1101-demo.json')] });
    const [slot] = await adapter().loadInsurance([people['demo']!], ctx);
    expect(slot).toStrictEqual({ status: 'ACTIVE', type: 'EMPLOYEE', typeCode: '310', balance: '1523.40', insuredSince: '2008-07-01', insuredPlace: '210199' });
  });

  it('picks the active entry when the platform lists a terminated one first', async () => {
    platform({ [people['history']!]: [200, fixture('1101-history.json')] });
    const [slot] = await adapter().loadInsurance([people['history']!], ctx);
    expect(slot).toStrictEqual({ status: 'ACTIVE', type: 'EMPLOYEE', typeCode: '310', balance: '75040.76', insuredSince: '2015-04-01', insuredPlace: '210112' });
  });

  it('answers null for a person the platform reports as not insured', async () => {
    platform({ [people['not-found']!]: [200, fixture('1101-not-found.json')] });
    expect(await adapter().loadInsurance([people['not-found']!], ctx)).toEqual([null]);
  });

  it('puts each failure in its own key\'s slot and keeps the other keys\' records', async () => {
    const ok = people['balc-70.07']!;
    const busy = people['demo']!;
    const missing = people['not-found']!;
    platform({ [ok]: [200, fixture('1101-balc-70.07.json')], [busy]: [200, fixture('1101-busy.json')], [missing]: [200, fixture('1101-not-found.json')] }, 3);
    const slots = await adapter().loadInsurance([busy, ok, missing], ctx);
    expect(codeOf(slots[0])).toBe('LEGACY_ERROR');
    expect((slots[1] as { balance: string }).balance).toBe('70.07');
    expect(slots[2]).toBeNull();
  });

  it('reports an HTML page with status 200 as ADAPTER_BAD_REPLY', async () => {
    platform({ [people['demo']!]: [200, fixture('maintenance.html'), 'text/html; charset=utf-8'] });
    const [slot] = await adapter().loadInsurance([people['demo']!], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_BAD_REPLY');
  });

  it('reports a reply of the wrong shape as ADAPTER_BAD_REPLY', async () => {
    platform({ [people['demo']!]: [200, fixture('1101-bad-shape.json')] });
    const [slot] = await adapter().loadInsurance([people['demo']!], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_BAD_REPLY');
  });

  it('reports a 502 from the platform\'s proxy as ADAPTER_BAD_REPLY with the status in details', async () => {
    platform({ [people['demo']!]: [502, '<html><body>502 Bad Gateway</body></html>', 'text/html'] });
    const [slot] = await adapter().loadInsurance([people['demo']!], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_BAD_REPLY');
    expect((slot as CityGraphError).details).toEqual({ httpStatus: 502 });
  });

  it('reports a connection failure as ADAPTER_UNAVAILABLE', async () => {
    nock(BASE).post(CALL_SERVICE_PATH).replyWithError('connect ECONNREFUSED');
    const [slot] = await adapter().loadInsurance([people['demo']!], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_UNAVAILABLE');
  });

  it('rejects a reply about another person than the one asked for', async () => {
    platform({ [people['balc-0.10']!]: [200, fixture('1101-demo.json')] });
    const [slot] = await adapter().loadInsurance([people['balc-0.10']!], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_BAD_REPLY');
  });

  it('gives errors a safe message: department named, no ID, no URL, no legacy text or field names', async () => {
    const id = people['demo']!;
    for (const [status, body] of [[200, fixture('1101-busy.json')], [200, fixture('1101-bad-shape.json')], [502, 'x'], [200, fixture('maintenance.html')]] as const) {
      platform({ [id]: [status, body] });
      const [slot] = await adapter().loadInsurance([id], ctx);
      const error = slot as CityGraphError;
      expect(error.department).toBe('medicalInsurance');
      expect(JSON.stringify([error.message, error.toExtensions()])).not.toMatch(/2101|platform\.test|系统|insuinfo|balc|infcode|<html/);
    }
  });

  it('sends the 1101 envelope with a well-formed msgid, the ID as voucher, and the request id header', async () => {
    const seen: Array<{ body: Record<string, unknown>; requestId: unknown }> = [];
    nock(BASE).post(CALL_SERVICE_PATH).times(2).reply(async (req: Request) => {
      seen.push({ body: (await req.json()) as Record<string, unknown>, requestId: req.headers.get('x-request-id') });
      return [200, fixture('1101-demo.json')];
    });
    const a = createMedicalInsuranceAdapter({ url: BASE, institutionCode: 'H21010599999', retries: 0 });
    await a.loadInsurance([people['demo']!], { requestId: 'req-a' });
    await a.loadInsurance([people['demo']!], { requestId: 'req-b' });
    const [first, second] = seen;
    expect(first!.body).toMatchObject({
      infno: '1101', infver: 'V1.0', recer_sys_code: 'YBXT', fixmedins_code: 'H21010599999',
      input: { data: { mdtrt_cert_type: '02', mdtrt_cert_no: people['demo'], certno: people['demo'], psn_cert_type: '01' } },
    });
    expect(first!.body['msgid']).toMatch(/^H21010599999\d{14}0001$/);
    expect(second!.body['msgid']).toMatch(/^H21010599999\d{14}0002$/);
    expect(first!.body['inf_time']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect([first!.requestId, second!.requestId]).toEqual(['req-a', 'req-b']);
  });

  it('calls the platform once per distinct person and answers every key in order', async () => {
    const a = people['balc-70.07']!;
    const b = people['balc-0.10']!;
    const scope = platform({ [a]: [200, fixture('1101-balc-70.07.json')], [b]: [200, fixture('1101-balc-0.10.json')] }, 2);
    const slots = await adapter().loadInsurance([a, b, a, a, b], ctx);
    expect(slots.map((s) => (s as { balance: string }).balance)).toEqual(['70.07', '0.10', '70.07', '70.07', '0.10']);
    expect(scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('puts BAD_USER_INPUT in the slot of a malformed ID without calling the platform', async () => {
    const scope = platform({ [people['demo']!]: [200, fixture('1101-demo.json')] });
    const slots = await adapter().loadInsurance(['12345', people['demo']!], ctx);
    expect(codeOf(slots[0])).toBe('BAD_USER_INPUT');
    expect((slots[1] as { balance: string }).balance).toBe('1523.40');
    expect(scope.isDone()).toBe(true);
  });
});

describe('createMedicalInsuranceAdapter options', () => {
  it('throws at construction for a wrong option, naming it', () => {
    expect(() => createMedicalInsuranceAdapter({ url: 'not a url' })).toThrow(/options\.url/);
    expect(() => createMedicalInsuranceAdapter({ url: BASE, institutionCode: 'H2101' })).toThrow(/institutionCode/);
    expect(() => createMedicalInsuranceAdapter({ url: BASE, timeout: 5 } as never)).toThrow(/unknown option\(s\) timeout/);
    expect(() => createMedicalInsuranceAdapter({ url: BASE, concurrency: 0 })).toThrow(/concurrency/);
  });
});
