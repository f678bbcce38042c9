/**
 * The adapter against the running stand-in on an ephemeral port: batching, dedup, not-found, faults,
 * timeouts and the no-retry rule for modifications, all counted by the stand-in's /__stats.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { createPopulationAdapter, type CitizenRecord } from '../index.ts';
import { DEMO_CITIZEN_ID, listCitizenIds, startPopulationStandIn, type FaultMode, type PopulationStandIn } from '../standin/index.ts';

let standIn: PopulationStandIn;
const ids = listCitizenIds(130);
/** A valid ID (check digit right) that the seeded registry does not hold. */
const ABSENT = '11010519491231002X';

async function stats(): Promise<{ requests: number; records: number; faults: number }> {
  return (await fetch(`${standIn.url}/__stats`)).json() as Promise<{ requests: number; records: number; faults: number }>;
}

async function inject(mode: FaultMode, latencyMs?: number): Promise<void> {
  const res = await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode, ...(latencyMs === undefined ? {} : { latencyMs }) }) });
  expect(res.status).toBe(200);
}

function codeOf(value: unknown): string {
  return isCityGraphError(value) ? value.code : value === null ? 'null' : 'record';
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (e) {
    return codeOf(e);
  }
}

beforeAll(async () => {
  standIn = await startPopulationStandIn({ port: 0 });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(async () => {
  await inject(null, 0);
  await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
});

describe('population adapter against the stand-in', () => {
  it('splits 120 IDs into 3 SOAP calls of at most 50 and answers in key order', async () => {
    const keys = ids.slice(0, 120);
    const result = await createPopulationAdapter({ url: standIn.url, concurrency: 2 }).loadCitizens(keys, { requestId: 'batch-1' });
    expect(await stats()).toEqual({ requests: 3, records: 120, faults: 0 });
    expect(result.map((r) => (r as CitizenRecord).id)).toEqual(keys);
  });

  it('asks once per distinct ID and fills every duplicate slot', async () => {
    const [a, b] = ids as [string, string];
    const result = await createPopulationAdapter({ url: standIn.url }).loadCitizens([a, b, a, a.toLowerCase()], { requestId: 'dedup-1' });
    expect(await stats()).toMatchObject({ requests: 1, records: 2 });
    expect(result[2]).toEqual(result[0]);
    expect((result[0] as CitizenRecord).id).toBe(a);
    expect((result[1] as CitizenRecord).id).toBe(b);
  });

  it('answers null for a person the registry does not hold', async () => {
    const result = await createPopulationAdapter({ url: standIn.url }).loadCitizens([ABSENT, DEMO_CITIZEN_ID], { requestId: 'nf-1' });
    expect(result.map(codeOf)).toEqual(['null', 'record']);
    expect((result[1] as CitizenRecord).name).toBe('王立军');
  });

  it('gives ADAPTER_TIMEOUT when the registry never answers, retrying reads', async () => {
    await inject('timeout');
    const adapter = createPopulationAdapter({ url: standIn.url, timeoutMs: 150, retries: 1 });
    const [first] = await adapter.loadCitizens([DEMO_CITIZEN_ID], { requestId: 'to-1' });
    expect(codeOf(first)).toBe('ADAPTER_TIMEOUT');
    expect((await stats()).requests).toBe(2);
  });

  it('maps injected faults to LEGACY_ERROR, ADAPTER_BAD_REPLY and ADAPTER_UNAVAILABLE', async () => {
    const expected: Array<[FaultMode, string]> = [
      ['soapFault', 'LEGACY_ERROR'],
      ['errflag', 'LEGACY_ERROR'],
      ['badXml', 'ADAPTER_BAD_REPLY'],
      ['badEncoding', 'ADAPTER_BAD_REPLY'],
      ['httpError', 'ADAPTER_UNAVAILABLE'],
    ];
    for (const [mode, code] of expected) {
      await inject(mode);
      const [first] = await createPopulationAdapter({ url: standIn.url, retries: 0 }).loadCitizens([DEMO_CITIZEN_ID], { requestId: `f-${mode}` });
      expect([mode, codeOf(first)]).toEqual([mode, code]);
    }
  });

  it('refuses a wrong shared secret with LEGACY_ERROR', async () => {
    const [first] = await createPopulationAdapter({ url: standIn.url, secret: 'wrong' }).loadCitizens([DEMO_CITIZEN_ID], { requestId: 's-1' });
    expect(codeOf(first)).toBe('LEGACY_ERROR');
  });

  it('updates a contact phone so that the next read shows it', async () => {
    const adapter = createPopulationAdapter({ url: standIn.url });
    const id = ids[7]!;
    const phone = `139${String(Date.now()).slice(-8)}`;
    await adapter.updateContactPhone(id, phone, { requestId: `m-${phone}` });
    const [after] = await adapter.loadCitizens([id], { requestId: 'm-read' });
    expect((after as CitizenRecord).phone).toBe(phone);
  });

  it('applies one idempotency key once, even when sent again with another phone', async () => {
    const adapter = createPopulationAdapter({ url: standIn.url });
    const id = ids[8]!;
    await adapter.updateContactPhone(id, '13811112222', { requestId: 'r-a', idempotencyKey: 'idem-8' });
    await adapter.updateContactPhone(id, '13833334444', { requestId: 'r-b', idempotencyKey: 'idem-8' });
    const [after] = await adapter.loadCitizens([id], { requestId: 'r-c' });
    expect((after as CitizenRecord).phone).toBe('13811112222');
  });

  it('reports NOT_FOUND when modifying a person the registry does not hold', async () => {
    const adapter = createPopulationAdapter({ url: standIn.url });
    expect(await rejection(adapter.updateContactPhone(ABSENT, '13800000000', { requestId: 'm-nf' }))).toBe('NOT_FOUND');
  });

  it('refuses an invalid phone or ID before calling the registry', async () => {
    const adapter = createPopulationAdapter({ url: standIn.url });
    expect(await rejection(adapter.updateContactPhone(DEMO_CITIZEN_ID, '12345', { requestId: 'm-bad' }))).toBe('BAD_USER_INPUT');
    expect(await rejection(adapter.updateContactPhone('210102198503152317', '13800000000', { requestId: 'm-bad' }))).toBe('BAD_USER_INPUT');
    expect((await stats()).requests).toBe(0);
  });

  it('never retries a modification that timed out', async () => {
    await inject('timeout');
    const adapter = createPopulationAdapter({ url: standIn.url, timeoutMs: 150, retries: 3 });
    expect(await rejection(adapter.updateContactPhone(DEMO_CITIZEN_ID, '13800000000', { requestId: 'm-to' }))).toBe('ADAPTER_TIMEOUT');
    expect((await stats()).requests).toBe(1);
  });
});
