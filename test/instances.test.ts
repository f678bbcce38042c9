/**
 * Several instances on one PostgreSQL store (a fresh schema per run): two gateways and two instances of
 * the population subgraph. A stream of changes goes through both gateways while one instance is killed
 * (SIGKILL) and restarted, then the other is stopped as a rolling update stops it (SIGTERM, drained).
 * Every change a client saw succeed has both records; only the killed instance's open intents are
 * marked; the chain verifies; the live instance never failed a request.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { openSupervisionStore, type SupervisionRecord } from '../supervision/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const PG_URL = process.env.SUPERVISION_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `cg_inst_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const DATABASE_URL = `${PG_URL}?schema=${schema}`;
const admin = new pg.Client({ connectionString: PG_URL });
let t: TestCity;

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  t = await startTestCity({ readyTimeoutMs: 80_000, instances: 2, subgraphs: ['population'], env: { LOG_LEVEL: 'info', DATABASE_URL, SUPERVISION_LEASE_MS: '3000', REQUEST_DEADLINE_MS: '10000' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const CHANGE = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';

/** Changes sent in lanes, half through each gateway, until `stop()`; what each client saw. */
function stream(token: string, prefix: string, lanes = 4) {
  const succeeded: string[] = [];
  const failed: { id: string; why: string }[] = [];
  let n = 0;
  let running = true;
  const lane = async (k: number) => {
    const gateway = t.city.gatewayUrls[k % t.city.gatewayUrls.length]!;
    while (running) {
      const id = `${prefix}-${k}-${String(n++).padStart(6, '0')}`;
      try {
        const res = await fetch(gateway, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': id },
          body: JSON.stringify({ query: CHANGE, variables: { id: DEMO_CITIZEN_ID, phone: `1391234${String(n % 10000).padStart(4, '0')}` } }),
        });
        const body = (await res.json()) as { data?: { updateContactPhone?: { requestId?: string } }; errors?: { extensions?: { code?: string } }[] };
        if (body.data?.updateContactPhone?.requestId === id) succeeded.push(id);
        else failed.push({ id, why: body.errors?.map((e) => e.extensions?.code).join(',') ?? `HTTP ${res.status}` });
      } catch (e) {
        failed.push({ id, why: (e as Error).message });
      }
    }
  };
  const all = Array.from({ length: lanes }, (_, k) => lane(k));
  /** Resolves once `count` changes succeeded (a loaded machine is slow to warm up), or fails after 30 s. */
  const flowing = async (count: number) => {
    for (let i = 0; i < 300 && succeeded.length < count; i++) await new Promise((r) => setTimeout(r, 100));
    expect(succeeded.length, `changes flowing (failures: ${failed.slice(0, 3).map((f) => f.why).join('; ')})`).toBeGreaterThanOrEqual(count);
  };
  return { succeeded, failed, flowing, stop: async () => ((running = false), await Promise.all(all)) };
}

/** How many intents of `instance` are open (no outcome yet) now. */
async function openIntentsOf(instance: string): Promise<number> {
  const r = await admin.query(
    `SELECT count(*) AS n FROM ${schema}.supervision_records r WHERE r.instance_id = $1 AND r.kind = 'intent' AND r.outcome = 'PENDING'
     AND NOT EXISTS (SELECT 1 FROM ${schema}.supervision_records o WHERE o.intent_seq = r.seq)`,
    [instance],
  );
  return Number(r.rows[0]?.n ?? 0);
}

async function populationRecords(): Promise<(SupervisionRecord & { instance: string | null })[]> {
  const store = await openSupervisionStore({ url: DATABASE_URL, dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
  try {
    const owners = new Map((await admin.query(`SELECT seq, instance_id FROM ${schema}.supervision_records`)).rows.map((r: { seq: string; instance_id: string | null }) => [Number(r.seq), r.instance_id]));
    const all: (SupervisionRecord & { instance: string | null })[] = [];
    let after: string | null = null;
    do {
      const page = await store.query({ department: 'population' }, { first: 100, after });
      all.push(...page.records.map((r) => ({ ...r, instance: owners.get(r.seq) ?? null })));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect((await store.integrity()).ok).toBe(true);
    return all;
  } finally {
    await store.close();
  }
}

describe('two gateways and two population instances on one PostgreSQL store', () => {
  it('loses no record when one instance is killed mid-stream, and marks only that instance’s open intents', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    // A slow registry keeps changes in flight (intent written, outcome not yet) when the kill comes.
    await t.fault('population-standin', { mode: null, latencyMs: 300 });
    const s = stream(token, 'kill');
    await s.flowing(12);
    // Kill it while it holds changes in flight (an intent of its own without outcome).
    for (let i = 0; i < 200 && !(await openIntentsOf('population-2')); i++) await new Promise((r) => setTimeout(r, 10));
    const beforeKill = s.succeeded.length;
    await t.city.crashAndRestart('subgraph-population-2');
    // The stream goes on through the restart and until the gateways have the instance back in rotation.
    await new Promise((r) => setTimeout(r, 2500));
    await s.stop();
    await t.fault('population-standin', { mode: null, latencyMs: 0 });

    expect(beforeKill).toBeGreaterThan(0);
    expect(s.succeeded.length).toBeGreaterThan(beforeKill);
    expect(s.failed.length, 'the kill interrupted changes in flight').toBeGreaterThan(0);

    const records = await populationRecords();
    const intents = records.filter((r) => r.kind === 'intent');
    const outcomeOf = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r]));
    const intentOf = new Map(intents.map((r) => [r.requestId, r]));
    for (const id of s.succeeded) {
      expect(intentOf.get(id), `intent of ${id}`).toBeDefined();
      expect(outcomeOf.get(intentOf.get(id)!.seq)?.outcome, `outcome of ${id}`).toBe('SUCCESS');
    }
    // Both instances served; nothing is left open.
    expect(new Set(intents.map((i) => i.instance))).toEqual(new Set(['population-1', 'population-2']));
    for (const i of intents) expect(outcomeOf.has(i.seq), `intent ${i.seq} closed`).toBe(true);
    const marked = intents.filter((i) => outcomeOf.get(i.seq)?.outcome === 'OUTCOME_UNKNOWN');
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((i) => i.instance === 'population-2'), 'only the killed instance’s intents are marked').toBe(true);
    // The live instance never failed a request: each of its changes succeeded, and no failed client request reached it.
    for (const i of intents.filter((x) => x.instance === 'population-1')) expect(outcomeOf.get(i.seq)?.outcome, `population-1 intent ${i.requestId}`).toBe('SUCCESS');
    for (const f of s.failed) expect(intentOf.get(f.id)?.instance ?? 'none', `failed ${f.id} (${f.why})`).not.toBe('population-1');
  }, 60_000);

  it('drains an instance on SIGTERM (a rolling update) without failing any request', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    await t.fault('population-standin', { mode: null, latencyMs: 100 });
    const s = stream(token, 'drain');
    await s.flowing(8);
    const victim = t.city.services['subgraph-population']!;
    const exited = new Promise<number | null>((r) => victim.child.once('exit', (code) => r(code)));
    victim.child.kill('SIGTERM');
    // Not ready while it drains, before it closes.
    await new Promise((r) => setTimeout(r, 200));
    const ready = await fetch(new URL('/readyz', victim.url)).then((r) => r.status, () => 'closed');
    expect(ready).toBe(503);
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    await s.stop();
    await t.fault('population-standin', { mode: null, latencyMs: 0 });

    expect(s.failed, 'no client saw a failure').toEqual([]);
    expect(s.succeeded.length).toBeGreaterThan(10);
    expect(victim.output.join('\n')).toMatch(/draining/);
    const records = await populationRecords();
    const intents = records.filter((r) => r.kind === 'intent');
    const outcomeOf = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r]));
    for (const id of s.succeeded) expect(outcomeOf.get(intents.find((i) => i.requestId === id)?.seq ?? -1)?.outcome, id).toBe('SUCCESS');
    // The drained instance left nothing open.
    for (const i of intents.filter((x) => x.instance === 'population-1')) expect(outcomeOf.has(i.seq)).toBe(true);
  }, 60_000);
});
