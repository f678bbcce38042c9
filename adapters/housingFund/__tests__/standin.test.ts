/** The fund's stand-in: a fresh seeded SQLite file, its exchange log as the counter, and its faults over HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, generateCitizens } from '../../population/standin/data.ts';
import { housingFundAdapterOn, type HousingFundAdapter } from '../index.ts';
import { openFundDatabase } from '../client.ts';
import { generateFund, startHousingFundStandIn, type HousingFundStandIn } from '../standin/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'citygraph-fund-standin-'));
let s: HousingFundStandIn;
let adapter: HousingFundAdapter;
const ctx = { requestId: 'standin-test-0001' };
const post = (path: string, body?: unknown) => fetch(`${s.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
const stats = async () => (await fetch(`${s.url}/__stats`)).json();

beforeAll(async () => {
  s = await startHousingFundStandIn({ database: join(dir, 'front.sqlite'), citizens: 500 });
  adapter = housingFundAdapterOn(await openFundDatabase(s.database), { retries: 0 });
});
afterAll(async () => {
  await adapter?.close();
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('housing fund stand-in', () => {
  it('seeds most adults with an account, some with none, and places a frozen and a sealed one', () => {
    const { accounts, samples } = generateFund(10_000);
    // Working-age adults (born 1950–2006) of the population stand-in: about nine in ten have an account.
    const adults = generateCitizens(10_000).filter((c) => Number(c.CSRQ.slice(0, 4)) >= 1950 && Number(c.CSRQ.slice(0, 4)) <= 2006).length;
    expect(accounts.length / adults).toBeGreaterThan(0.85);
    expect(accounts.length / adults).toBeLessThan(0.95);
    expect(accounts.find((a) => a.ZJHM === samples.frozen)?.GRZHZT).toBe('06');
    expect(accounts.find((a) => a.ZJHM === samples.sealed)?.GRZHZT).toBe('02');
    expect(accounts.some((a) => a.ZJHM === samples.none)).toBe(false);
    expect(accounts.filter((a) => a.GRZHZT === '06').length).toBeGreaterThan(10);
    expect(generateFund(10_000)).toEqual(generateFund(10_000));
  });

  it('counts the statements consumers wrote to the exchange log, and resets them', async () => {
    await post('/__stats/reset');
    await adapter.loadAccounts([DEMO_CITIZEN_ID, s.samples.frozen], ctx);
    expect(await stats()).toMatchObject({ requests: 1, statements: { SELECT: 1 } });
    await post('/__stats/reset');
    expect((await stats()).requests).toBe(0);
  });

  it('locks the tables until the fault is cleared, and restores an amount it spoiled', async () => {
    expect((await post('/__faults', { mode: 'lock' })).status).toBe(200);
    expect(((await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx))[0] as { code?: string }).code).toBe('ADAPTER_UNAVAILABLE');
    await post('/__faults', { mode: 'textInAmount', citizenIds: [DEMO_CITIZEN_ID] });
    expect(((await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx))[0] as { code?: string }).code).toBe('ADAPTER_BAD_REPLY');
    await post('/__faults', { mode: null });
    expect(((await adapter.loadAccounts([DEMO_CITIZEN_ID], ctx))[0] as { balance?: string }).balance).toBe('86420.35');
    expect((await post('/__faults', { mode: 'explode' })).status).toBe(400);
  });
});
