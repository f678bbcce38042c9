/**
 * PostgreSQL goes away under load and comes back (cut by a TCP proxy this test owns; the machine's
 * shared server is never touched): changes are refused with SUPERVISION_UNAVAILABLE while it is gone,
 * no record is half-written, nothing is left open, and service resumes by itself.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { openSupervisionStore, type SupervisionRecord } from '../supervision/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';
import { allRecords } from './support/records.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const PG_URL = process.env.SUPERVISION_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `cg_outage_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const admin = new pg.Client({ connectionString: PG_URL });
let proxy: TcpProxy;
let t: TestCity;

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const target = new URL(PG_URL);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(PG_URL);
  viaProxy.port = String(proxy.port);
  viaProxy.searchParams.set('schema', schema);
  t = await startTestCity({
    readyTimeoutMs: 80_000,
    subgraphs: ['population'],
    // A long deadline: on a loaded machine a slow answer must not pass for the outage's refusal.
    env: { LOG_LEVEL: 'info', DATABASE_URL: viaProxy.href, SUPERVISION_LEASE_MS: '2000', CITYGRAPH_INSTANCE_ID: 'population-1', REQUEST_DEADLINE_MS: '10000' },
  });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await proxy?.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const CHANGE = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';

describe('PostgreSQL restarted under load', () => {
  it('refuses changes with SUPERVISION_UNAVAILABLE while it is gone, writes no half record, and resumes by itself', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    await t.fault('population-standin', { mode: null, latencyMs: 30 });
    const seen: { id: string; at: number; ok: boolean; code?: string }[] = [];
    let running = true;
    let n = 0;
    const lane = async (k: number) => {
      while (running) {
        const id = `outage-${k}-${String(n++).padStart(6, '0')}`;
        const r = await t.query(CHANGE, { token, headers: { 'x-request-id': id }, variables: { id: DEMO_CITIZEN_ID, phone: `1371234${String(n % 10000).padStart(4, '0')}` } });
        const ok = r.body.data?.updateContactPhone?.requestId === id;
        seen.push({ id, at: Date.now(), ok, code: r.body.errors?.[0]?.extensions?.code });
        if (!ok) await new Promise((res) => setTimeout(res, 20));
      }
    };
    const lanes = [0, 1, 2].map(lane);
    for (let i = 0; i < 300 && seen.filter((s) => s.ok).length < 10; i++) await new Promise((r) => setTimeout(r, 100));
    const cutAt = Date.now();
    proxy.cut();
    await new Promise((r) => setTimeout(r, 2500));
    const restoredAt = Date.now();
    proxy.restore();
    // Service resumes by itself: changes succeed again within a few seconds.
    for (let i = 0; i < 150 && !seen.some((s) => s.ok && s.at > restoredAt); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(lanes);
    await t.fault('population-standin', { mode: null, latencyMs: 0 });

    const during = seen.filter((s) => s.at > cutAt + 200 && s.at < restoredAt);
    expect(seen.filter((s) => s.ok && s.at < cutAt).length).toBeGreaterThanOrEqual(10);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => !s.ok && s.code === 'SUPERVISION_UNAVAILABLE'), JSON.stringify(during.slice(0, 3))).toBe(true);
    expect(seen.some((s) => s.ok && s.at > restoredAt)).toBe(true);
    expect(new Set(seen.filter((s) => !s.ok).map((s) => s.code))).toEqual(new Set(['SUPERVISION_UNAVAILABLE']));

    // The periodic recovery (every lease, 2 s) closes the intents whose outcome could not be written:
    // read the chain until every intent has its outcome, or 30 s have passed (a loaded machine is slow).
    const store = await openSupervisionStore({ url: `${PG_URL}?schema=${schema}`, dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
    try {
      const readChain = () => allRecords(store, { department: 'population' });
      const open = (rs: SupervisionRecord[]) => rs.filter((r) => r.kind === 'intent').length - rs.filter((r) => r.kind === 'outcome').length;
      let records = await readChain();
      for (let i = 0; i < 60 && open(records) > 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        records = await readChain();
      }
      const intents = records.filter((r) => r.kind === 'intent');
      const outcomeOf = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r.outcome]));
      for (const s of seen.filter((x) => x.ok)) expect(outcomeOf.get(intents.find((i) => i.requestId === s.id)?.seq ?? -1), s.id).toBe('SUCCESS');
      for (const i of intents) expect(outcomeOf.has(i.seq), `intent ${i.requestId} closed`).toBe(true);
      // No half-written record: every record's hash and link holds.
      expect(await store.integrity()).toMatchObject({ ok: true, problems: [] });
    } finally {
      await store.close();
    }
  }, 90_000);
});
