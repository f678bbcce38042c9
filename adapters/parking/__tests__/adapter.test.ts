/**
 * The adapter against the real stand-in, in-process on an ephemeral port: cursors, batching, exact
 * money, 429 waits within the budget, and changes made once per idempotency key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { createParkingAdapter, type ParkingAdapter } from '../index.ts';
import { DEMO_PLATES, startParkingStandIn, type ParkingStandIn } from '../standin/index.ts';

let standIn: ParkingStandIn;
let adapter: ParkingAdapter;
const ctx = { requestId: 'adapter-test-0001' };
const HEPING = { lat: 41.7966, lng: 123.4000 }; // 太原街

async function stats(): Promise<Record<string, any>> {
  return (await fetch(`${standIn.url}/__stats`)).json();
}
async function fault(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${standIn.url}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}
function hoursFromNow(h: number): string {
  return new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + h * 3_600_000).toISOString();
}
/** Car parks open around the clock, so a test's reservation time never meets closing time. */
const allDay = () => standIn.platform.parks.filter((p) => p.open_time === '00:00' && p.close_time === '24:00');
let keySerial = 0;
const newKey = () => `test-key-${process.pid}-${++keySerial}-${Date.now()}`;

beforeAll(async () => {
  standIn = await startParkingStandIn();
  adapter = createParkingAdapter({ url: standIn.url, budgetMs: 4000, timeoutMs: 1000 });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  await fault({ mode: null });
  await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
});

describe('reads', () => {
  it('pages through the whole directory by cursor and returns lots near a point in 和平区 nearest first', async () => {
    const near = await adapter.lotsNear(HEPING, 1500, ctx);
    expect(near.length).toBeGreaterThan(10);
    expect(near.every((l) => l.distanceMeters <= 1500)).toBe(true);
    expect(near.map((l) => l.distanceMeters)).toEqual([...near.map((l) => l.distanceMeters)].sort((a, b) => a - b));
    expect(near[0]!.lot.district).toBe('和平区');
    // 608 lots, 100 a page: 7 pages, each one call; the directory is then reused.
    expect((await stats()).byApi['parking/park/list']).toBe(7);
    await adapter.lotsNear(HEPING, 500, ctx);
    expect((await stats()).byApi['parking/park/list']).toBe(7);
  });

  it('looks up 120 lots in 3 calls of at most 50, with real-time spaces, null for an unknown id, in the order asked', async () => {
    const ids = standIn.platform.parks.slice(0, 120).map((p) => p.park_uuid);
    const lots = await adapter.loadLots([...ids, 'P9999999999', ids[0]!], ctx);
    expect(lots).toHaveLength(122);
    expect(lots.slice(0, 120).map((l) => (l as { id: string }).id)).toEqual(ids);
    expect(lots[120]).toBeNull();
    expect((lots[121] as { id: string }).id).toBe(ids[0]);
    const first = lots[0] as { freeSpaces: number; totalSpaces: number; tariff: { perHour: string } };
    expect(first.freeSpaces).toBeGreaterThanOrEqual(0);
    expect(first.freeSpaces).toBeLessThanOrEqual(first.totalSpaces);
    expect(first.tariff.perHour).toMatch(/^\d+\.\d{2}$/);
    expect((await stats()).byApi['parking/park/info']).toBe(3);
  });

  it('gives the demo citizen two vehicles (one new-energy green) and unpaid sessions with exact amounts', async () => {
    const [vehicles] = await adapter.loadVehicles([DEMO_CITIZEN_ID], ctx);
    expect(vehicles).toEqual([
      expect.objectContaining({ plate: DEMO_PLATES[0], color: 'BLUE', newEnergy: false }),
      expect.objectContaining({ plate: DEMO_PLATES[1], color: 'GREEN', newEnergy: true }),
    ]);
    const [sessions] = (await adapter.loadUnpaidSessions([DEMO_CITIZEN_ID], ctx)) as unknown as [Array<{ amountDue: string; paid: boolean }>];
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    for (const s of sessions) {
      expect(s.paid).toBe(false);
      expect(s.amountDue).toMatch(/^\d+\.\d{2}$/);
    }
  });
});

describe('rate limits', () => {
  it('waits out a 429 with Retry-After: 1 and then succeeds', async () => {
    await fault({ mode: 'rateLimited', retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const [vehicles] = await adapter.loadVehicles([DEMO_CITIZEN_ID], ctx);
    expect(Array.isArray(vehicles)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const s = await stats();
    expect(s.rateLimited).toBe(1);
    expect(s.byApi['vehicle/list']).toBe(2);
  });

  it('gives ADAPTER_RATE_LIMITED at once for Retry-After: 30, well within the request budget', async () => {
    await fault({ mode: 'rateLimited', retryAfterSeconds: 30 });
    const started = Date.now();
    const [result] = await adapter.loadVehicles([DEMO_CITIZEN_ID], ctx);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result).toBeInstanceOf(Error);
    expect(result).toMatchObject({ code: 'ADAPTER_RATE_LIMITED', department: 'parking', details: { retryAfterSeconds: 30 } });
  });

  it('stops waiting out a 429 storm when the budget of the operation would run out', async () => {
    await fault({ mode: 'rateLimited', retryAfterSeconds: 1 });
    const short = createParkingAdapter({ url: standIn.url, budgetMs: 1500 });
    const started = Date.now();
    const [result] = await short.loadUnpaidSessions([DEMO_CITIZEN_ID], ctx);
    const took = Date.now() - started;
    expect(result).toMatchObject({ code: 'ADAPTER_RATE_LIMITED' });
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(1500);
    expect((await stats()).rateLimited).toBe(2);
  });

  it('answers 429 itself when an app calls faster than its limit', async () => {
    const limited = await startParkingStandIn({ rateLimitPerSecond: 5 });
    try {
      const quick = createParkingAdapter({ url: limited.url, budgetMs: 300 });
      const results = await Promise.all(Array.from({ length: 12 }, () => quick.loadVehicles([DEMO_CITIZEN_ID], ctx)));
      const codes = results.map(([r]) => (r instanceof Error ? (r as { code?: string }).code : 'ok'));
      expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(5);
      expect(codes.filter((c) => c === 'ADAPTER_RATE_LIMITED').length).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('changes happen once', () => {
  it('makes one reservation for the same key sent concurrently, by one adapter and by two', async () => {
    const key = newKey();
    const lotId = allDay()[5]!.park_uuid;
    const input = { citizenId: DEMO_CITIZEN_ID, lotId, plate: DEMO_PLATES[0], from: hoursFromNow(30), to: hoursFromNow(31) };
    const other = createParkingAdapter({ url: standIn.url });
    const results = await Promise.all([adapter.reserve(input, { ...ctx, idempotencyKey: key }), adapter.reserve(input, { ...ctx, idempotencyKey: key }), other.reserve(input, { ...ctx, idempotencyKey: key })]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]).toMatchObject({ lotId, plate: DEMO_PLATES[0], status: 'CONFIRMED' });
    expect((await stats()).reservationsCreated).toBe(1);
    expect(standIn.platform.reserves.filter((r) => r.apply_no === results[0]!.id)).toHaveLength(1);
  });

  it('retries a reservation whose reply was lost with the same request number, and the platform books it once', async () => {
    await fault({ mode: 'lostReply', times: 1, apis: ['parking/reserve/apply'] });
    const lotId = allDay()[6]!.park_uuid;
    const r = await adapter.reserve({ citizenId: DEMO_CITIZEN_ID, lotId, plate: DEMO_PLATES[1], from: hoursFromNow(40), to: hoursFromNow(41) }, { ...ctx, idempotencyKey: newKey() });
    const s = await stats();
    expect(s.byApi['parking/reserve/apply']).toBe(2);
    expect(s.reservationsCreated).toBe(1);
    expect(r.status).toBe('CONFIRMED');
  });

  it('refuses an overlapping reservation with CONFLICT and the same key for other arguments with BAD_USER_INPUT', async () => {
    const lotId = allDay()[7]!.park_uuid;
    const key = newKey();
    const base = { citizenId: DEMO_CITIZEN_ID, lotId, plate: DEMO_PLATES[0], from: hoursFromNow(50), to: hoursFromNow(52) };
    await adapter.reserve(base, { ...ctx, idempotencyKey: key });
    await expect(adapter.reserve({ ...base, from: hoursFromNow(51), to: hoursFromNow(53) }, { ...ctx, idempotencyKey: newKey() })).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'overlap' } });
    await expect(adapter.reserve({ ...base, to: hoursFromNow(51) }, { ...ctx, idempotencyKey: key })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'idempotencyKeyReused' } });
  });

  it('refuses a reservation while the car park is closed with BAD_USER_INPUT (lotClosed)', async () => {
    const lot = standIn.platform.parks.find((p) => p.open_time !== '00:00')!;
    // 02:00 in Shenyang (18:00 UTC), at least a few hours ahead.
    const night = new Date(Math.ceil((Date.now() + 3 * 3_600_000) / 86_400_000) * 86_400_000 - 6 * 3_600_000);
    if (night.getTime() < Date.now() + 3_600_000) night.setTime(night.getTime() + 86_400_000);
    const input = { citizenId: DEMO_CITIZEN_ID, lotId: lot.park_uuid, plate: DEMO_PLATES[0], from: night.toISOString(), to: new Date(night.getTime() + 3_600_000).toISOString() };
    await expect(adapter.reserve(input, { ...ctx, idempotencyKey: newKey() })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'lotClosed' } });
  });

  it('charges a session once for the same key sent concurrently, then refuses another key with CONFLICT', async () => {
    const [sessions] = (await adapter.loadUnpaidSessions([DEMO_CITIZEN_ID], ctx)) as unknown as [Array<{ id: string; amountDue: string }>];
    const session = sessions[0]!;
    const key = newKey();
    const other = createParkingAdapter({ url: standIn.url });
    const pay = (a: ParkingAdapter) => a.paySession({ citizenId: DEMO_CITIZEN_ID, sessionId: session.id, amount: session.amountDue }, { ...ctx, idempotencyKey: key });
    const results = await Promise.all([pay(adapter), pay(adapter), pay(other)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]).toMatchObject({ amount: session.amountDue, session: { id: session.id, paid: true, amountPaid: session.amountDue } });
    const s = await stats();
    expect(s.charges).toBe(1);
    expect(s.chargedCents).toBe(Number(session.amountDue.replace('.', '')));
    await expect(adapter.paySession({ citizenId: DEMO_CITIZEN_ID, sessionId: session.id, amount: session.amountDue }, { ...ctx, idempotencyKey: newKey() })).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'alreadyPaid' } });
  });

  it('refuses a wrong amount with BAD_USER_INPUT and charges nothing', async () => {
    const [sessions] = (await adapter.loadUnpaidSessions([DEMO_CITIZEN_ID], ctx)) as unknown as [Array<{ id: string; amountDue: string }>];
    const session = sessions.at(-1)!;
    await expect(adapter.paySession({ citizenId: DEMO_CITIZEN_ID, sessionId: session.id, amount: '0.01' }, { ...ctx, idempotencyKey: newKey() })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'amountDue' } });
    expect((await stats()).charges).toBe(0);
  });

  it('reports a platform answering 1500 as LEGACY_ERROR without its message, and never sends a change without a key', async () => {
    await fault({ mode: 'platformError', apis: ['vehicle/list'] });
    const [r] = await adapter.loadVehicles([DEMO_CITIZEN_ID], ctx);
    expect(r).toMatchObject({ code: 'LEGACY_ERROR', details: { platformCode: 'SYSTEM_BUSY' } });
    expect((r as Error).message).not.toContain('繁忙');
    await fault({ mode: null });
    await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
    await expect(adapter.paySession({ citizenId: DEMO_CITIZEN_ID, sessionId: 'O00000001', amount: '1.00' }, { ...ctx, idempotencyKey: '' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'idempotencyKey' } });
    expect((await stats()).requests).toBe(0);
  });
});
