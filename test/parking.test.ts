/**
 * Whole-system tests of 好停车: the real parking stand-in, subgraph and gateway (one city for the file),
 * asked over HTTP as the citizen app, an operator integrator and an anonymous visitor would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateWorld } from '../adapters/parking/standin/data.ts';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let citizen: string;
let auditor: string;
const world = generateWorld();
const TAIYUANJIE = { lat: 41.7966, lng: 123.4 }; // 太原街, 和平区
const ownLot = world.parks.find((p) => p.operator_id === 'sy-jiaotou' && p.area_code === '210102')!;
const othersLot = world.parks.find((p) => p.operator_id !== 'sy-jiaotou')!;
let serial = 0;
const key = (label: string) => `${label}-${process.pid}-${Date.now()}-${++serial}`;
const hour = (h: number) => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + h * 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestCity({ serviceEnv: { 'subgraph-parking': { PARKING_BUDGET_MS: '4000', PARKING_TIMEOUT_MS: '1500' } } });
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-parking' });
}, 90_000);
afterAll(() => t?.stop());
beforeEach(async () => {
  await t.fault('parking-standin', { mode: null });
  await t.resetStats();
});

const RESERVE = `mutation($lot: ID!, $plate: String!, $from: DateTime!, $to: DateTime!, $key: ID!) {
  reserveParking(citizenId: "${DEMO_CITIZEN_ID}", lotId: $lot, plate: $plate, from: $from, to: $to, idempotencyKey: $key) { reservation { id plate from to status lot { id } } requestId } }`;
const PAY = `mutation($session: ID!, $amount: Decimal!, $key: ID!) {
  payParkingSession(citizenId: "${DEMO_CITIZEN_ID}", sessionId: $session, amount: $amount, idempotencyKey: $key) { id amount session { id paid amountPaid } } }`;
const UNPAID = `{ citizen(id: "${DEMO_CITIZEN_ID}") { unpaidParkingSessions { id plate amountDue paid lot { name district } } } }`;

// First, so the examples meet the seeded state the README shows (the demo session still unpaid).
describe('the README', () => {
  /** The `-d '…'` bodies of the README's parking section, with the credential each curl sends. */
  function examples(): Array<{ auth: 'none' | 'token' | 'key'; body: string }> {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('### Parking (好停车)');
    const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
    const out: Array<{ auth: 'none' | 'token' | 'key'; body: string }> = [];
    const lines = section.split('\n');
    lines.forEach((line, i) => {
      const m = /^\s+-d '(.*)'$/.exec(line);
      if (!m) return;
      const curl = lines[i - 1]!;
      out.push({ auth: curl.includes('$TOKEN') ? 'token' : curl.includes('$KEY') ? 'key' : 'none', body: m[1]! });
    });
    return out;
  }

  it('runs every parking example as written, each answering data without errors', async () => {
    const list = examples();
    expect(list.length).toBe(5);
    // What the shell does with '$FROM' and '$TO' in the README's command line.
    const at = (h: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + h * 3_600_000).toISOString().replace('.000', '');
    const key = { [API_KEY_HEADER]: issueApiKey(join(t.dataDir, 'api-keys.json'), { client: 'sy-jiaotou', scopes: ['parking:operator'], purpose: 'car park operation' }).key };
    for (const ex of list) {
      const body = JSON.parse(ex.body.replace(`'$FROM'`, at(2)).replace(`'$TO'`, at(4))) as { query: string };
      const r = await t.query(body.query, ex.auth === 'token' ? { token: citizen } : ex.auth === 'key' ? { headers: key } : {});
      expect(r.body.errors, body.query).toBeUndefined();
      expect(Object.values(r.body.data).every((v) => v !== null), body.query).toBe(true);
    }
  });
});

describe('public car parks', () => {
  it('lists car parks around a point in 和平区 nearest first, with free spaces, to an anonymous caller, page after page', async () => {
    const q = `query($after: String) { parkingLots(near: { lat: ${TAIYUANJIE.lat}, lng: ${TAIYUANJIE.lng} }, radiusMeters: 1500, first: 10, after: $after) {
      totalCount edges { cursor node { id name district distanceMeters totalSpaces freeSpaces tariff { perHour } } } pageInfo { hasNextPage endCursor } } }`;
    const first = await t.query(q);
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data.parkingLots;
    expect(page1.totalCount).toBeGreaterThan(10);
    const nodes = page1.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(10);
    expect(nodes[0].district).toBe('和平区');
    const distances = nodes.map((n: any) => n.distanceMeters);
    expect(distances).toEqual([...distances].sort((a: number, b: number) => a - b));
    expect(distances.at(-1)).toBeLessThanOrEqual(1500);
    for (const n of nodes) {
      expect(Number.isInteger(n.freeSpaces)).toBe(true);
      expect(n.freeSpaces).toBeLessThanOrEqual(n.totalSpaces);
      expect(n.tariff.perHour).toMatch(/^\d+\.\d{2}$/);
    }
    const second = await t.query(q, { variables: { after: page1.pageInfo.endCursor } });
    const next = second.body.data.parkingLots.edges.map((e: any) => e.node);
    expect(next[0].distanceMeters).toBeGreaterThanOrEqual(distances.at(-1));
    expect(next.filter((n: any) => nodes.some((m: any) => m.id === n.id))).toEqual([]);
    // Real-time spaces for a page cost one batched call; the directory was paged through once by cursor.
    const stats = await t.stats('parking-standin');
    expect(stats.byApi['parking/park/info']).toBe(2);
    expect(stats.byApi['parking/park/list'] ?? 0).toBeLessThanOrEqual(7);
  });

  it('leaves out full car parks when asked only for ones with free spaces', async () => {
    const r = await t.query(`{ parkingLots(near: { lat: ${TAIYUANJIE.lat}, lng: ${TAIYUANJIE.lng} }, radiusMeters: 3000, first: 50, onlyWithFreeSpaces: true) { totalCount edges { node { freeSpaces } } } }`);
    expect(r.body.errors).toBeUndefined();
    const all = await t.query(`{ parkingLots(near: { lat: ${TAIYUANJIE.lat}, lng: ${TAIYUANJIE.lng} }, radiusMeters: 3000, first: 1) { totalCount } }`);
    expect(r.body.data.parkingLots.edges.every((e: any) => e.node.freeSpaces > 0)).toBe(true);
    expect(r.body.data.parkingLots.totalCount).toBeLessThan(all.body.data.parkingLots.totalCount);
  });

  it('answers one car park by id, null for an unknown one, and BAD_USER_INPUT for a malformed id or radius', async () => {
    const r = await t.query(`{ a: parkingLot(id: "${ownLot.park_uuid}") { name openingHours location { lat lng } } b: parkingLot(id: "P9999999999") { name } }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.a).toMatchObject({ name: ownLot.park_name, location: { lat: ownLot.lat, lng: ownLot.lng } });
    expect(r.body.data.b).toBeNull();
    const bad = await t.query(`{ parkingLot(id: "no such id!") { name } parkingLots(near: { lat: 41.8, lng: 123.4 }, radiusMeters: 50000) { totalCount } }`);
    expect(bad.body.errors?.map((e) => e.extensions?.details?.rule).sort()).toEqual(['lotId', 'radius']);
  });
});

describe("the citizen's parking", () => {
  it('shows the demo citizen their vehicles (one new-energy green) and unpaid sessions with exact amounts, joined with the registry', async () => {
    const r = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name vehicles { plate color newEnergy } unpaidParkingSessions { id amountDue paid lot { district } } } }`, { token: citizen });
    expect(r.body.errors).toBeUndefined();
    const c = r.body.data.citizen;
    expect(c.name).toBe('王立军');
    expect(c.vehicles).toEqual([{ plate: '辽A8K3F2', color: 'BLUE', newEnergy: false }, { plate: '辽AD12345', color: 'GREEN', newEnergy: true }]);
    expect(c.unpaidParkingSessions.length).toBeGreaterThanOrEqual(1);
    for (const s of c.unpaidParkingSessions) expect(s).toMatchObject({ paid: false, amountDue: expect.stringMatching(/^\d+\.\d{2}$/) });
  });

  it("gives another citizen's vehicles to nobody but them: FORBIDDEN for the demo citizen, an app without parking:read", async () => {
    const other = listCitizenIds(5)[3]!;
    const r = await t.query(`{ citizen(id: "${other}") { vehicles { plate } } }`, { token: citizen });
    expect(r.body.data?.citizen ?? null).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const reader = await t.token({ role: 'app', sub: 'city-app', onBehalfOf: DEMO_CITIZEN_ID, scopes: ['parking:read'] });
    const noScope = await t.token({ role: 'app', sub: 'city-app', onBehalfOf: DEMO_CITIZEN_ID, scopes: ['citizen:read'] });
    const q = `{ citizen(id: "${DEMO_CITIZEN_ID}") { vehicles { plate } } }`;
    expect((await t.query(q, { token: reader })).body.data.citizen.vehicles).toHaveLength(2);
    const denied = await t.query(q, { token: noScope });
    expect(denied.body.data.citizen.vehicles).toBeNull();
    expect(denied.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});

describe('reservations never book twice', () => {
  it('makes one reservation on the stand-in for the same reserveParking sent twice at once with one key', async () => {
    const variables = { lot: ownLot.park_uuid, plate: '辽A8K3F2', from: hour(20), to: hour(22), key: key('twice') };
    const [a, b] = await Promise.all([t.query(RESERVE, { token: citizen, variables }), t.query(RESERVE, { token: citizen, variables })]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(a.body.data.reserveParking.reservation.id).toBe(b.body.data.reserveParking.reservation.id);
    expect(a.body.data.reserveParking.reservation).toMatchObject({ status: 'CONFIRMED', plate: '辽A8K3F2', lot: { id: ownLot.park_uuid } });
    const stats = await t.stats('parking-standin');
    expect(stats.reservationsCreated).toBe(1);
    // Both attempts are recorded with their power item; the platform acted once.
    const log = await t.query(`{ mutationLog(filter: { department: "parking", powerItem: "TC-YY-0101", outcome: SUCCESS }, first: 100) { edges { node { requestId } } } }`, { token: auditor });
    const ids = log.body.data.mutationLog.edges.map((e: any) => e.node.requestId);
    expect(ids).toContain(a.body.data.reserveParking.requestId);
    expect(ids).toContain(b.body.data.reserveParking.requestId);
  });

  it('refuses an overlapping reservation with CONFLICT, and bad plates and times with BAD_USER_INPUT before any platform call', async () => {
    const base = { lot: ownLot.park_uuid, plate: '辽AD12345', from: hour(60), to: hour(62) };
    expect((await t.query(RESERVE, { token: citizen, variables: { ...base, key: key('first') } })).body.errors).toBeUndefined();
    const overlap = await t.query(RESERVE, { token: citizen, variables: { ...base, from: hour(61), to: hour(63), key: key('overlap') } });
    expect(overlap.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', department: 'parking', details: { reason: 'overlap' } });
    await t.resetStats();
    const cases: Array<[Record<string, string>, string]> = [
      [{ plate: '辽A8K3O2' }, 'plateSerial'],
      [{ plate: '辽AX12345' }, 'plateNewEnergy'],
      [{ from: hour(-3), to: hour(-2) }, 'reservationInPast'],
      [{ from: hour(70), to: hour(75) }, 'reservationLength'],
      [{ from: hour(70), to: hour(69) }, 'reservationOrder'],
    ];
    for (const [change, rule] of cases) {
      const r = await t.query(RESERVE, { token: citizen, variables: { ...base, key: key('bad'), ...change } });
      expect(r.body.errors?.[0]?.extensions, rule).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule } });
    }
    const unknownLot = await t.query(RESERVE, { token: citizen, variables: { ...base, lot: 'P9999999999', from: hour(80), to: hour(81), key: key('nolot') } });
    expect(unknownLot.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.stats('parking-standin')).byApi['parking/reserve/apply']).toBe(1);
  });

  it('cancels once for the same key sent twice at once, then refuses cancelling again with CONFLICT', async () => {
    const made = await t.query(RESERVE, { token: citizen, variables: { lot: ownLot.park_uuid, plate: '辽AD12345', from: hour(100), to: hour(101), key: key('tocancel') } });
    const id = made.body.data.reserveParking.reservation.id;
    const CANCEL = `mutation($id: ID!, $key: ID!) { cancelParkingReservation(citizenId: "${DEMO_CITIZEN_ID}", id: $id, idempotencyKey: $key) { reservation { id status } } }`;
    const variables = { id, key: key('cancel') };
    const [a, b] = await Promise.all([t.query(CANCEL, { token: citizen, variables }), t.query(CANCEL, { token: citizen, variables })]);
    expect(a.body.data.cancelParkingReservation.reservation).toEqual({ id, status: 'CANCELLED' });
    expect(b.body.data).toEqual(a.body.data);
    expect((await t.stats('parking-standin')).reservationsCancelled).toBe(1);
    const again = await t.query(CANCEL, { token: citizen, variables: { id, key: key('again') } });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', details: { reason: 'reservationState' } });
    const mine = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { parkingReservations { id status } } }`, { token: citizen });
    expect(mine.body.data.citizen.parkingReservations).toContainEqual({ id, status: 'CANCELLED' });
  });

  it('lets the operator of a car park see its reservations without owner names, and no other operator', async () => {
    await t.query(RESERVE, { token: citizen, variables: { lot: ownLot.park_uuid, plate: '辽A8K3F2', from: hour(90), to: hour(91), key: key('op') } });
    const file = join(t.dataDir, 'api-keys.json');
    const operator = { [API_KEY_HEADER]: issueApiKey(file, { client: 'sy-jiaotou', scopes: ['parking:operator'], purpose: 'car park operation' }).key };
    const q = `{ mine: parkingLot(id: "${ownLot.park_uuid}") { name reservations { plate from to status } } theirs: parkingLot(id: "${othersLot.park_uuid}") { name reservations { plate } } }`;
    const r = await t.query(q, { headers: operator });
    expect(r.body.data.mine.reservations.some((x: any) => x.plate === '辽A8K3F2')).toBe(true);
    expect(r.body.data.theirs).toEqual({ name: othersLot.park_name, reservations: null });
    expect(r.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['theirs', 'reservations'], 'FORBIDDEN']]);
    // The platform sends the owner's name with each reservation; it never reaches the operator.
    expect(JSON.stringify(r.body)).not.toContain('王立军');
    const anonymous = await t.query(`{ parkingLot(id: "${ownLot.park_uuid}") { reservations { plate } } }`);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('payments never charge twice', () => {
  it('charges once for the same payParkingSession sent twice at once with one key, and refuses a second payment', async () => {
    const sessions = (await t.query(UNPAID, { token: citizen })).body.data.citizen.unpaidParkingSessions;
    const session = sessions[0];
    const variables = { session: session.id, amount: session.amountDue, key: key('pay') };
    const [a, b] = await Promise.all([t.query(PAY, { token: citizen, variables }), t.query(PAY, { token: citizen, variables })]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.data.payParkingSession).toEqual(a.body.data.payParkingSession);
    expect(a.body.data.payParkingSession).toMatchObject({ amount: session.amountDue, session: { id: session.id, paid: true, amountPaid: session.amountDue } });
    expect((await t.stats('parking-standin')).charges).toBe(1);
    const again = await t.query(PAY, { token: citizen, variables: { ...variables, key: key('again') } });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', details: { reason: 'alreadyPaid' } });
    const left = (await t.query(UNPAID, { token: citizen })).body.data.citizen.unpaidParkingSessions;
    expect(left.map((s: any) => s.id)).not.toContain(session.id);
  });

  it("refuses a wrong amount and another citizen's session, charging nothing", async () => {
    const sessions = (await t.query(UNPAID, { token: citizen })).body.data.citizen.unpaidParkingSessions;
    const session = sessions.at(-1);
    const wrong = await t.query(PAY, { token: citizen, variables: { session: session.id, amount: '0.01', key: key('wrong') } });
    expect(wrong.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'amountDue' } });
    const float = await t.query(PAY, { token: citizen, variables: { session: session.id, amount: 12.5, key: key('float') } });
    expect(float.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const other = listCitizenIds(5)[3]!;
    const theirs = await t.query(`mutation { payParkingSession(citizenId: "${other}", sessionId: "O00000009", amount: "5.00", idempotencyKey: "${key('theirs')}") { id } }`, { token: citizen });
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.stats('parking-standin')).charges).toBe(0);
  });
});

describe('rate limits', () => {
  const q = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name vehicles { plate } } }`;

  it('waits out a 429 with Retry-After: 1 and answers', async () => {
    await t.fault('parking-standin', { mode: 'rateLimited', retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const r = await t.query(q, { token: citizen });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.citizen.vehicles).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await t.stats('parking-standin')).rateLimited).toBe(1);
  });

  it('gives ADAPTER_RATE_LIMITED for Retry-After: 30 within the request budget, the rest of the answer intact', async () => {
    await t.fault('parking-standin', { mode: 'rateLimited', retryAfterSeconds: 30 });
    const started = Date.now();
    const r = await t.query(q, { token: citizen });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.body.data.citizen).toEqual({ name: '王立军', vehicles: null });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'ADAPTER_RATE_LIMITED', department: 'parking', details: { retryAfterSeconds: 30 } });
    expect(JSON.stringify(r.body)).not.toContain('127.0.0.1');
  });

  it('reports a platform answering 1500 as LEGACY_ERROR, and the process stays up', async () => {
    await t.fault('parking-standin', { mode: 'platformError', times: 1 });
    const r = await t.query(q, { token: citizen });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_ERROR', department: 'parking' });
    expect(r.body.errors?.[0]?.message).not.toContain('繁忙');
    expect((await t.query(q, { token: citizen })).body.data.citizen.vehicles).toHaveLength(2);
  });
});
