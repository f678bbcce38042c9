/**
 * A new supergraph while requests go on: the gateway loads it on a file change or SIGHUP without
 * dropping a request, refuses one that does not compose (a clear log line, the old one stays), and no
 * change loses its records; and on SIGTERM it finishes the requests in flight before it exits.
 */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { ROOT } from '../scripts/lib/processes.ts';
import { openSupervisionStore } from '../supervision/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';
import { allRecords } from './support/records.ts';

let t: TestCity;
let file: string;

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'citygraph-supergraph-')), 'supergraph.graphql');
  copyFileSync(join(ROOT, 'schema', 'supergraph.graphql'), file);
  t = await startTestCity({ readyTimeoutMs: 80_000, subgraphs: ['population'], serviceEnv: { gateway: { SUPERGRAPH_FILE: file } } });
}, 120_000);
afterAll(() => t?.stop());

/** Replaces the file in one step, as a ConfigMap update does (a reader never sees it half-written). */
const replace = (text: string) => {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};

const QUERY = '{ citizen(id: "210102198503152318") { name } }';
const CHANGE = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';

describe('the gateway under load: supergraph reloads and SIGTERM', () => {
  it('drops no request across two reloads and a refused supergraph', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    // Slow registry: requests are in flight at every switch.
    await t.fault('population-standin', { mode: null, latencyMs: 80 });
    const original = readFileSync(file, 'utf8');
    const failures: string[] = [];
    const changes: string[] = [];
    let ok = 0;
    let running = true;
    let n = 0;
    const lane = async (k: number) => {
      while (running) {
        const id = `reload-${k}-${String(n++).padStart(6, '0')}`;
        const mutation = n % 4 === 0;
        const r = await t
          .query(mutation ? CHANGE : QUERY, { token, headers: { 'x-request-id': id }, ...(mutation ? { variables: { id: DEMO_CITIZEN_ID, phone: `1381234${String(n % 10000).padStart(4, '0')}` } } : {}) })
          .catch((e: Error) => ({ status: 0, body: { errors: [{ message: e.message }] } }) as never);
        const good = mutation ? r.body.data?.updateContactPhone?.requestId === id : typeof r.body.data?.citizen?.name === 'string';
        if (good && !r.body.errors) {
          ok++;
          if (mutation) changes.push(id);
        } else failures.push(`${id}: ${JSON.stringify(r.body.errors ?? r.status)}`);
      }
    };
    const lanes = [0, 1, 2, 3].map(lane);
    const gateway = t.city.services.gateway!;
    const logged = (re: RegExp) => gateway.output.filter((l) => re.test(l)).length;
    const until = async (re: RegExp, count: number) => {
      for (let i = 0; i < 100 && logged(re) < count; i++) await new Promise((r) => setTimeout(r, 100));
      expect(logged(re), String(re)).toBe(count);
    };

    await new Promise((r) => setTimeout(r, 500));
    // 1. A new supergraph by file change (as a new ConfigMap appears).
    replace(`${original}\n# revision 2\n`);
    await until(/supergraph reloaded/, 1);
    // 2. One that does not compose, announced by SIGHUP: refused, the one in force stays.
    replace(original.replace(/type Query\b/, 'type Query @join__type(graph: NOWHERE)'));
    gateway.child.kill('SIGHUP');
    await until(/new supergraph refused/, 1);
    await new Promise((r) => setTimeout(r, 300));
    // 3. A good one again, by SIGHUP.
    replace(`${original}\n# revision 3\n`);
    gateway.child.kill('SIGHUP');
    await until(/supergraph reloaded/, 2);
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(lanes);
    await t.fault('population-standin', { mode: null, latencyMs: 0 });

    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
    expect(changes.length).toBeGreaterThan(0);
    const refusal = gateway.output.find((l) => /new supergraph refused/.test(l))!;
    expect(JSON.parse(refusal)).toMatchObject({ level: 50, msg: 'new supergraph refused: it does not compose; the one in force stays', reason: expect.stringMatching(/NOWHERE|graph/i) });
    // Every change a client saw succeed has both records.
    const store = await openSupervisionStore({ dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
    try {
      const records = await allRecords(store, { department: 'population' });
      const outcomeOf = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r.outcome]));
      for (const id of changes) {
        const intent = records.find((r) => r.kind === 'intent' && r.requestId === id);
        expect(intent, `intent of ${id}`).toBeDefined();
        expect(outcomeOf.get(intent!.seq), `outcome of ${id}`).toBe('SUCCESS');
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('drains on SIGTERM: requests in flight finish, then it exits cleanly', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    await t.fault('population-standin', { mode: null, latencyMs: 800 });
    const before = (await t.stats('population-standin')).requests;
    const gateway = t.city.services.gateway!;
    // Six different requests (identical ones would share one execution), all in flight at the registry when SIGTERM comes.
    const inFlight = Array.from({ length: 6 }, (_, i) => t.query(`{ c${i}: citizen(id: "${DEMO_CITIZEN_ID}") { name } }`, { token, headers: { 'x-request-id': `drain-gw-${i}-0000` } }));
    for (let i = 0; i < 100 && (await t.stats('population-standin')).requests < before + 6; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await t.stats('population-standin')).requests).toBeGreaterThanOrEqual(before + 6);
    const exited = new Promise<number | null>((r) => gateway.child.once('exit', (code) => r(code)));
    gateway.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((a, i) => a.body.data?.[`c${i}`]?.name)).toEqual(Array(6).fill('王立军'));
    expect(await exited).toBe(0);
    expect(gateway.output.some((l) => /draining: not ready, finishing the requests in flight/.test(l) && /"inflight":6/.test(l))).toBe(true);
    await t.fault('population-standin', { mode: null, latencyMs: 0 });
  }, 30_000);
});
