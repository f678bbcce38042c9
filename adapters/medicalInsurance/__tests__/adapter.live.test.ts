import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCityGraphError, type CityGraphError } from '../../../core/errors.ts';
import { createMedicalInsuranceAdapter, type MedicalInsuranceAdapterOptions } from '../index.ts';
import { DEMO_CERTNO, makeResidentId, startMedicalInsuranceStandIn, type MedicalInsuranceStandIn } from '../standin/index.ts';
import { findPerson } from '../standin/persons.ts';

let standIn: MedicalInsuranceStandIn;
beforeAll(async () => { standIn = await startMedicalInsuranceStandIn(); });
afterAll(() => standIn.close());
beforeEach(async () => {
  await faults({ mode: null });
  await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
});

const ctx = { requestId: 'req-live' };
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => makeResidentId(from + i));
const adapter = (o: Partial<MedicalInsuranceAdapterOptions> = {}) => createMedicalInsuranceAdapter({ url: standIn.url, ...o });
const codeOf = (slot: unknown) => (isCityGraphError(slot) ? (slot as CityGraphError).code : undefined);

async function faults(plan: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify(plan) });
  expect(res.status).toBe(200);
}

async function stats(): Promise<{ requests: number; records: number; faults: number; maxInFlight: number }> {
  return (await fetch(`${standIn.url}/__stats`)).json() as never;
}

describe('medical insurance adapter against the live stand-in', () => {
  it('reads people the platform also lists under supplementary types (320, 330, 510) as their basic scheme', async () => {
    const withSupplement = ids(400).filter((id) => (findPerson(id)?.insuinfo.length ?? 0) > 1 && findPerson(id)!.insuinfo.some((e) => ['320', '330', '510'].includes(e.insutype)));
    expect(withSupplement.length).toBeGreaterThan(5);
    const slots = await adapter().loadInsurance(withSupplement.slice(0, 5), ctx);
    for (const slot of slots) expect(slot).toMatchObject({ type: 'EMPLOYEE', typeCode: '310', status: 'ACTIVE' });
  });

  it('makes exactly one call per distinct person: 40 distinct among 50 keys means 40 calls', async () => {
    const distinct = ids(40, 100);
    const keys = [...distinct.slice(0, 20), ...distinct.slice(0, 10), ...distinct.slice(20)];
    const slots = await adapter().loadInsurance(keys, ctx);
    expect(slots).toHaveLength(50);
    expect((await stats()).requests).toBe(40);
    // Repeated keys get the same answer as their first occurrence, in their own positions.
    expect(slots.slice(20, 30)).toEqual(slots.slice(0, 10));
    expect(slots.every((s) => s === null || typeof (s as { balance?: unknown }).balance === 'string')).toBe(true);
    // Every person the stand-in returned is in a slot of its own (positions 0–19 and 30–49 are the distinct ones).
    expect([...slots.slice(0, 20), ...slots.slice(30)].filter((s) => s !== null)).toHaveLength((await stats()).records);
  });

  it('never has more calls in flight than the configured concurrency', async () => {
    await faults({ mode: null, latencyMs: 100 });
    await adapter({ concurrency: 3 }).loadInsurance(ids(12, 200), ctx);
    expect((await stats()).maxInFlight).toBe(3);
  });

  it('uses a concurrency of 8 by default', async () => {
    await faults({ mode: null, latencyMs: 100 });
    await adapter().loadInsurance(ids(20, 300), ctx);
    expect((await stats()).maxInFlight).toBe(8);
  });

  it('puts ADAPTER_TIMEOUT in the slot of the person whose call hangs, and answers the others', async () => {
    const keys = ids(5, 400);
    await faults({ mode: 'timeout', certnos: [keys[2]] });
    const started = Date.now();
    const slots = await adapter({ timeoutMs: 300, retries: 1 }).loadInsurance(keys, ctx);
    expect(codeOf(slots[2])).toBe('ADAPTER_TIMEOUT');
    expect((slots[2] as CityGraphError).department).toBe('medicalInsurance');
    expect([0, 1, 3, 4].map((i) => codeOf(slots[i]))).toEqual([undefined, undefined, undefined, undefined]);
    // The read is idempotent, so the hung call was tried twice; the others once.
    expect((await stats()).requests).toBe(6);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an HTML page with status 200 as ADAPTER_BAD_REPLY without retrying it', async () => {
    await faults({ mode: 'notJson' });
    const [slot] = await adapter().loadInsurance([DEMO_CERTNO], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_BAD_REPLY');
    expect((await stats()).requests).toBe(1);
  });

  it('maps the other faults: busy to LEGACY_ERROR, 502 and bad shape to ADAPTER_BAD_REPLY', async () => {
    const cases = { infcodeError: 'LEGACY_ERROR', httpError: 'ADAPTER_BAD_REPLY', badShape: 'ADAPTER_BAD_REPLY' } as const;
    for (const [mode, code] of Object.entries(cases)) {
      await faults({ mode, certnos: [DEMO_CERTNO] });
      const slots = await adapter().loadInsurance([DEMO_CERTNO, ids(1, 500)[0]!], ctx);
      expect([mode, codeOf(slots[0]), codeOf(slots[1])]).toEqual([mode, code, undefined]);
    }
  });

  it('answers the demo citizen with the exact balance 1523.40', async () => {
    expect(await adapter().loadInsurance([DEMO_CERTNO], ctx)).toEqual([
      { status: 'ACTIVE', type: 'EMPLOYEE', typeCode: '310', balance: '1523.40', insuredSince: '2008-07-01', insuredPlace: '210199' },
    ]);
  });

  it('reports a platform that does not listen as ADAPTER_UNAVAILABLE', async () => {
    const gone = await startMedicalInsuranceStandIn();
    await gone.close();
    const [slot] = await createMedicalInsuranceAdapter({ url: gone.url, retries: 0 }).loadInsurance([DEMO_CERTNO], ctx);
    expect(codeOf(slot)).toBe('ADAPTER_UNAVAILABLE');
  });
});
