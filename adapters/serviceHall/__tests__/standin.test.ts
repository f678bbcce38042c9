import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, DEV_APP_ID, DEV_APP_SECRET, startServiceHallStandIn, type ServiceHallStandIn } from '../standin/index.ts';

let hall: ServiceHallStandIn;
const form = (path: string, fields: Record<string, string>) =>
  fetch(`${hall.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: new URLSearchParams(fields) });
const token = async () => /<ACCESS_TOKEN>(\w+)<\/ACCESS_TOKEN>/.exec(await (await form('/ywtb/oauth/token', { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET })).text())![1]!;

beforeAll(async () => {
  hall = await startServiceHallStandIn({ now: () => new Date('2026-10-09T01:00:00Z') });
});
afterAll(() => hall.close());

describe('the service hall stand-in speaks the hall\'s protocol', () => {
  it('answers refusals in <RESULT><STATUS> with HTTP 200: bad credentials, no token, malformed xmlStr, a DTD, a wrong state', async () => {
    const expectStatus = async (res: Response, status: number) => {
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?><RESULT><STATUS>${status}</STATUS><DESC>[^<]+</DESC><DATA>`));
    };
    await expectStatus(await form('/ywtb/oauth/token', { appId: DEV_APP_ID, appSecret: 'wrong' }), 403);
    await expectStatus(await form('/ywtb/api/querySxList', { accessToken: 'nope', xmlStr: '<ROOT/>' }), 401);
    const t = await token();
    await expectStatus(await form('/ywtb/api/querySxList', { accessToken: t, xmlStr: '<ROOT><SSBM>' }), 400);
    await expectStatus(await form('/ywtb/api/querySxList', { accessToken: t, xmlStr: '<!DOCTYPE x [<!ENTITY a "b">]><ROOT>&a;</ROOT>' }), 400);
    await expectStatus(await form('/ywtb/api/pushShouLi', { accessToken: t, xmlStr: '<ROOT><SPSHOULI><SBLSH>2101009999999999</SBLSH><BLRJS>窗口</BLRJS><BLBM>SYGAJ</BLBM><BLR>x</BLR></SPSHOULI></ROOT>' }), 404);
    expect((await form('/ywtb/api/noSuchMethod', { accessToken: t, xmlStr: '<ROOT/>' })).status).toBe(404);
  });

  it('serves every matter of its catalogue with the promised days not above the legal ones', async () => {
    const text = await (await form('/ywtb/api/querySxList', { accessToken: await token(), xmlStr: '<ROOT/>' })).text();
    expect(text.match(/<SXXX>/g)?.length).toBe(CATALOGUE.length);
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(30);
    for (const m of CATALOGUE) expect(m.CNSX).toBeLessThanOrEqual(m.FDSX);
  });
});
