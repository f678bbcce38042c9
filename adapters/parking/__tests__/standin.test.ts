/**
 * The stand-in speaks the platform's protocol on the wire: signatures, replay protection, envelopes,
 * cursors, money as two-decimal JSON numbers, a deterministic world of 608 car parks in Shenyang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { sign } from '../client.ts';
import { DEV_APP_ID, DEV_APP_SECRET, generateWorld, signOf, startParkingStandIn, type ParkingStandIn } from '../standin/index.ts';
import { Platform } from '../standin/platform.ts';

let standIn: ParkingStandIn;
beforeAll(async () => {
  standIn = await startParkingStandIn();
});
afterAll(() => standIn?.close());

let n = 0;
async function post(api: string, params: Record<string, unknown>, tweak: (b: Record<string, unknown>) => void = () => {}): Promise<{ status: number; text: string; body: any }> {
  const body: Record<string, unknown> = { app_id: DEV_APP_ID, rand: `r${Date.now()}x${++n}`, timestamp: Math.floor(Date.now() / 1000), ...params };
  body.sign = signOf(body, DEV_APP_SECRET);
  tweak(body);
  const res = await fetch(`${standIn.url}/gate/1.0/${api}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

describe('the parking platform stand-in', () => {
  it('seeds the same 608 car parks inside Shenyang for the same seed, the demo citizen owning two vehicles and unpaid orders', () => {
    const a = generateWorld();
    const b = generateWorld();
    expect(a.parks).toHaveLength(608);
    expect(a).toEqual(b);
    for (const p of a.parks) {
      expect(p.lat).toBeGreaterThan(41.4);
      expect(p.lat).toBeLessThan(42.9);
      expect(p.lng).toBeGreaterThan(122.6);
      expect(p.lng).toBeLessThan(123.7);
    }
    expect(new Set(a.parks.map((p) => p.area_name)).size).toBe(13);
    expect(a.vehicles.filter((v) => v.cert_no === DEMO_CITIZEN_ID).map((v) => [v.car_number, v.license_color])).toEqual([['辽A8K3F2', 0], ['辽AD12345', 4]]);
    expect(a.orders.filter((o) => o.cert_no === DEMO_CITIZEN_ID && o.pay_status === 0).length).toBeGreaterThanOrEqual(2);
  });

  it('changes free spaces with the time of day, the same for the same minute, always within the car park', () => {
    let now = Date.parse('2026-12-01T00:00:00Z'); // 08:00 in Shenyang
    const platform = new Platform(20261201, () => now);
    const ids = platform.parks.slice(0, 50).map((p) => p.park_uuid);
    const spaces = () => (platform.parkInfo({ park_uuids: ids }) as unknown as { payload: { parks: Array<{ remain_space: number; total_space: number }> } }).payload.parks;
    const morning = spaces();
    expect(spaces()).toEqual(morning);
    now += 6 * 3_600_000;
    const afternoon = spaces();
    expect(afternoon.filter((p, i) => p.remain_space !== morning[i]!.remain_space).length).toBeGreaterThan(25);
    for (const p of [...morning, ...afternoon]) {
      expect(p.remain_space).toBeGreaterThanOrEqual(0);
      expect(p.remain_space).toBeLessThanOrEqual(p.total_space);
    }
  });

  it('signs the way the adapter does (one algorithm, two implementations)', () => {
    const body = { app_id: 'a', rand: 'abcdefgh', timestamp: 1, park_uuids: ['P1', 'P2'], plate: '辽A8K3F2', empty: '' };
    expect(signOf(body, 's')).toBe(sign(body, 's'));
    expect(signOf(body, 's')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('answers the envelope with code 1001 and pages the directory by cursor', async () => {
    const first = await post('parking/park/list', { page_size: 100 });
    expect(first.body).toMatchObject({ code: '1001', seqno: expect.any(String), data_node: expect.any(String), time_cost: expect.any(Number) });
    expect(first.body.payload.parks).toHaveLength(100);
    const seen = new Set<string>(first.body.payload.parks.map((p: any) => p.park_uuid));
    let cursor = first.body.payload.next_cursor;
    while (cursor) {
      const page = await post('parking/park/list', { page_size: 100, cursor });
      for (const p of page.body.payload.parks) seen.add(p.park_uuid);
      cursor = page.body.payload.next_cursor;
    }
    expect(seen.size).toBe(608);
    // Money on the wire is a JSON number with two decimals.
    expect(first.text).toMatch(/"price_per_hour":\d+\.\d{2}[,}]/);
  });

  it('refuses a bad signature, a stale timestamp and a repeated rand with 1500', async () => {
    expect((await post('vehicle/list', { cert_no: DEMO_CITIZEN_ID }, (b) => { b.sign = '0'.repeat(32); })).body).toMatchObject({ code: '1500', payload: { err_code: 'SIGN_ERROR' } });
    const stale = await post('vehicle/list', { cert_no: DEMO_CITIZEN_ID, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.body.payload.err_code).toBe('TIMESTAMP_INVALID');
    const rand = `fixed${Date.now()}`;
    expect((await post('vehicle/list', { cert_no: DEMO_CITIZEN_ID, rand })).body.code).toBe('1001');
    expect((await post('vehicle/list', { cert_no: DEMO_CITIZEN_ID, rand })).body.payload.err_code).toBe('RAND_REPEATED');
  });

  it('answers 429 with the Retry-After the fault plan asks for, then clears after `times`', async () => {
    await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: 'rateLimited', retryAfterSeconds: 30, times: 1 }) });
    const res = await fetch(`${standIn.url}/gate/1.0/vehicle/list`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await post('vehicle/list', { cert_no: DEMO_CITIZEN_ID })).status).toBe(200);
    const bad = await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: 'sometimes' }) });
    expect(bad.status).toBe(400);
  });
});
