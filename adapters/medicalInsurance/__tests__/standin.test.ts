import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../client.ts';
import { CALL_SERVICE_PATH, DEMO_CERTNO, isValidResidentId, makeResidentId, startMedicalInsuranceStandIn, type MedicalInsuranceStandIn } from '../standin/index.ts';
import { findPerson } from '../standin/persons.ts';

let standIn: MedicalInsuranceStandIn;
beforeAll(async () => { standIn = await startMedicalInsuranceStandIn(); });
afterAll(() => standIn.close());
beforeEach(async () => {
  await control('/__faults', { mode: null });
  await control('/__stats/reset');
});

async function control(path: string, body?: unknown): Promise<Response> {
  return fetch(standIn.url + path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Posts a 1101 envelope for `certno`, with fields replaced by `patch`; returns status and raw text. */
async function call(certno: string, patch: (e: Record<string, unknown>) => void = () => {}): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const e = envelope('H21010200001', new Date(), 1, certno);
  patch(e);
  const res = await fetch(standIn.url + CALL_SERVICE_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(e) });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('medical insurance stand-in protocol', () => {
  it('answers the demo citizen exactly like the platform\'s sample, balance written as 1523.40', async () => {
    const { status, text, json } = await call(DEMO_CERTNO);
    expect(status).toBe(200);
    expect(text).toContain('"balc":1523.40,');
    expect(json).toMatchObject({ infcode: 0, err_msg: null, output: { baseinfo: { certno: DEMO_CERTNO, psn_name: '王立军', gend: '1', brdy: '1985-03-15' }, idetinfo: [] } });
    expect((json['output'] as { insuinfo: unknown[] }).insuinfo).toEqual([expect.objectContaining({
      insutype: '310', psn_insu_stas: '1', psn_insu_date: '2008-07-01', insuplc_admdvs: '210199', paus_insu_date: null,
    })]);
    expect(json['refmsg_time']).toMatch(/^\d{17}$/);
    expect(json['respond_time']).toMatch(/^\d{17}$/);
    expect(json['inf_refmsgid']).toMatch(/^\d{30}$/);
  });

  it('rejects a malformed msgid with infcode -1 and a Chinese message, over HTTP 200', async () => {
    for (const msgid of ['H2101020000120240520103015001', 'H21010200001202413201030150001', 'H210102000012024052010301X0001']) {
      const { status, json } = await call(DEMO_CERTNO, (e) => { e['msgid'] = msgid; });
      expect(status).toBe(200);
      expect(json).toMatchObject({ infcode: -1, output: null });
      expect(json['err_msg']).toMatch(/^报文ID\[.*\]格式错误/);
    }
  });

  it('rejects a msgid that does not start with the institution code', async () => {
    const { json } = await call(DEMO_CERTNO, (e) => { e['fixmedins_code'] = 'H21010299999'; });
    expect(json['err_msg']).toMatch(/不一致/);
  });

  it('rejects an inf_time that is not yyyy-MM-dd HH:mm:ss', async () => {
    const { json } = await call(DEMO_CERTNO, (e) => { e['inf_time'] = '2024-05-20T10:30:15'; });
    expect(json).toMatchObject({ infcode: -1 });
    expect(json['err_msg']).toMatch(/inf_time/);
  });

  it('rejects a missing input.data, a bad mdtrt_cert_type and an empty certno', async () => {
    const msgs = await Promise.all([
      call(DEMO_CERTNO, (e) => { e['input'] = {}; }),
      call(DEMO_CERTNO, (e) => { (e['input'] as { data: Record<string, unknown> }).data['mdtrt_cert_type'] = '04'; }),
      call(DEMO_CERTNO, (e) => { (e['input'] as { data: Record<string, unknown> }).data['certno'] = ''; }),
    ]);
    expect(msgs.map((m) => m.json['err_msg'])).toEqual([
      expect.stringMatching(/input\.data/), expect.stringMatching(/mdtrt_cert_type\[04\]/), expect.stringMatching(/certno不能为空/),
    ]);
  });

  it('answers an unknown transaction number as not existing', async () => {
    const { json } = await call(DEMO_CERTNO, (e) => { e['infno'] = '9999'; });
    expect(json).toMatchObject({ infcode: -1, err_msg: '交易编号[9999]不存在' });
  });

  it('answers a body that is not JSON with HTTP 400 in plain text', async () => {
    const res = await fetch(standIn.url + CALL_SERVICE_PATH, { method: 'POST', body: '<xml/>' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('reports an uninsured or invalid ID with the platform\'s not-found message', async () => {
    const invalid = `${DEMO_CERTNO.slice(0, 17)}9`;
    const uninsured = Array.from({ length: 200 }, (_, i) => makeResidentId(i)).find((id) => findPerson(id) === null)!;
    for (const id of [invalid, uninsured]) {
      expect((await call(id)).json).toMatchObject({ infcode: -1, err_msg: '未查询到人员参保信息', output: null });
    }
  });

  it('insures about nine in ten valid IDs, the same way on every call', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => makeResidentId(i));
    expect(ids.every(isValidResidentId)).toBe(true);
    const insured = ids.filter((id) => findPerson(id) !== null).length;
    expect(insured).toBeGreaterThan(850);
    expect(insured).toBeLessThan(950);
    expect(ids.map((id) => JSON.stringify(findPerson(id), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))))
      .toEqual(ids.map((id) => JSON.stringify(findPerson(id), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))));
    expect(ids.some((id) => findPerson(id)?.insuinfo.length === 2)).toBe(true);
  });

  it('counts 1101 calls and returned persons, and resets the counters', async () => {
    await call(DEMO_CERTNO);
    await call(`${DEMO_CERTNO.slice(0, 17)}9`);
    await call(DEMO_CERTNO, (e) => { e['msgid'] = 'short'; });
    expect(await (await fetch(`${standIn.url}/__stats`)).json()).toEqual({ requests: 2, records: 1, faults: 0, maxInFlight: 1 });
    await control('/__stats/reset');
    expect(await (await fetch(`${standIn.url}/__stats`)).json()).toEqual({ requests: 0, records: 0, faults: 0, maxInFlight: 0 });
  });

  it('applies a fault only to the listed persons and counts it', async () => {
    const other = Array.from({ length: 50 }, (_, i) => makeResidentId(i)).find((id) => findPerson(id) !== null)!;
    await control('/__faults', { mode: 'infcodeError', certnos: [DEMO_CERTNO] });
    expect((await call(DEMO_CERTNO)).json).toMatchObject({ infcode: -1, err_msg: expect.stringMatching(/系统繁忙/) });
    expect((await call(other)).json).toMatchObject({ infcode: 0, err_msg: null });
    expect((await (await fetch(`${standIn.url}/__stats`)).json() as { faults: number }).faults).toBe(1);
  });

  it('serves notJson as an HTML page with 200 and httpError as a 502', async () => {
    await control('/__faults', { mode: 'notJson' });
    const html = await fetch(standIn.url + CALL_SERVICE_PATH, { method: 'POST', body: JSON.stringify(envelope('H21010200001', new Date(), 1, DEMO_CERTNO)) });
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    await control('/__faults', { mode: 'httpError' });
    const bad = await fetch(standIn.url + CALL_SERVICE_PATH, { method: 'POST', body: JSON.stringify(envelope('H21010200001', new Date(), 1, DEMO_CERTNO)) });
    expect(bad.status).toBe(502);
  });

  it('refuses a fault plan it does not understand', async () => {
    for (const plan of [{ mode: 'explode' }, { mode: null, latencyMs: -1 }, { mode: null, certnos: 'x' }, { mode: null, extra: 1 }, {}]) {
      expect((await control('/__faults', plan)).status).toBe(400);
    }
  });

  it('throws at start for an invalid option, naming it', async () => {
    await expect(startMedicalInsuranceStandIn({ port: -1 })).rejects.toThrow(/port/);
    await expect(startMedicalInsuranceStandIn({ latencyMs: Number.NaN })).rejects.toThrow(/latencyMs/);
    await expect(startMedicalInsuranceStandIn({ delay: 5 } as never)).rejects.toThrow(/unknown option\(s\) delay/);
  });
});
