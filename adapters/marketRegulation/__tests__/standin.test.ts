/** The registry stand-in speaks both interfaces, limits a call to 20 keys, and still answers as the fixtures say. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENTERPRISE_USCC, SAMR_BY_CODE, SHARING_PATH, generateEnterprises, startMarketRegulationStandIn, type MarketRegulationStandIn } from '../standin/index.ts';
import { FIXTURES } from './fixtures/capture.ts';

let s: MarketRegulationStandIn;
beforeAll(async () => {
  s = await startMarketRegulationStandIn({ enterprises: 50 });
});
afterAll(() => s?.close());

const get = async (path: string) => (await fetch(`${s.url}${path}`)).text();
const fault = (mode: string | null) => fetch(`${s.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode }) });

describe('enterprise registry stand-in', () => {
  it('answers every fixture byte for byte as captured (run fixtures/capture.ts when this fails)', async () => {
    for (const [file, [mode, path]] of Object.entries(FIXTURES)) {
      await fault(mode);
      expect(await get(path), file).toBe(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8'));
    }
    await fault(null);
  });

  it('refuses more than 20 codes in one call with its business code, on HTTP 200', async () => {
    const codes = generateEnterprises(50).slice(0, 21).map((e) => e.UNISCID).join(',');
    expect(JSON.parse(await get(`${SAMR_BY_CODE}?uniscids=${codes}`))).toEqual({ code: '400', message: '单次最多查询20条', data: null });
    expect(JSON.parse(await get(`${SHARING_PATH}?shtyxydm=${codes}`))).toMatchObject({ success: false, result: null });
  });

  it('counts calls per interface and resets the counters', async () => {
    await fetch(`${s.url}/__stats/reset`, { method: 'POST' });
    await get(`${SAMR_BY_CODE}?uniscids=${DEMO_ENTERPRISE_USCC}`);
    await get(`${SHARING_PATH}?shtyxydm=${DEMO_ENTERPRISE_USCC}`);
    expect(JSON.parse(await get('/__stats'))).toEqual({ requests: 2, records: 2, faults: 0, samr: 1, sharing: 1 });
  });

  it('refuses an unknown fault mode', async () => {
    expect((await fault('explode')).status).toBe(400);
  });
});
