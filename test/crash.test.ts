/**
 * A crash in the middle of a stream of mutations: the population subgraph is killed with SIGKILL
 * while changes are in flight, then restarted. Every change a client saw succeed has both records;
 * every interrupted one is marked OUTCOME_UNKNOWN; nothing is left open.
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { openSupervisionStore } from '../supervision/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { startTestCity, type TestCity } from './support/city.ts';
import { allRecords } from './support/records.ts';

let t: TestCity;

beforeAll(async () => {
  t = await startTestCity();
}, 90_000);
afterAll(() => t?.stop());

const CHANGE = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';

describe('a crash between intent and outcome', () => {
  it('leaves every seen success with both records and marks every interrupted change OUTCOME_UNKNOWN after restart', async () => {
    const token = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    // Slow registry: changes are in flight (intent written, outcome not yet) when the kill comes.
    await t.fault('population-standin', { mode: null, latencyMs: 150 });
    const succeeded: string[] = [];
    const failed: string[] = [];
    let n = 0;
    let running = true;
    const client = async (lane: number) => {
      while (running) {
        const id = `crash-${lane}-${String(n++).padStart(6, '0')}`;
        const r = await t.query(CHANGE, { token, variables: { id: DEMO_CITIZEN_ID, phone: `1391234${String(n % 10000).padStart(4, '0')}` }, headers: { 'x-request-id': id } }).catch(() => null);
        if (r?.body.data?.updateContactPhone?.requestId === id) succeeded.push(id);
        else failed.push(id);
      }
    };
    const lanes = [0, 1, 2, 3].map(client);
    await new Promise((r) => setTimeout(r, 1500));
    // The kill lands while a change is in flight: an intent is durable and its outcome not yet written.
    // (The four lanes fall into step through the group commit, so a fixed moment could find every one of
    // them still before its intent, reading the registry, and the test would prove nothing.)
    const watch = new DatabaseSync(join(t.dataDir, 'supervision.db'), { readOnly: true });
    const open = watch.prepare(
      "SELECT count(*) AS n FROM supervision_records r WHERE r.kind = 'intent' AND r.department = 'population' AND NOT EXISTS (SELECT 1 FROM supervision_records o WHERE o.intent_seq = r.seq)",
    );
    for (const until = Date.now() + 10_000; (open.get() as { n: number }).n === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 2));
    watch.close();
    await t.city.crashAndRestart('subgraph-population');
    running = false;
    await Promise.all(lanes);
    await t.fault('population-standin', { mode: null, latencyMs: 0 });

    expect(succeeded.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);

    const store = await openSupervisionStore({ dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
    try {
      const all = await allRecords(store, { department: 'population' });
      const intents = all.filter((r) => r.kind === 'intent');
      const outcomeOf = new Map(all.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r]));
      for (const id of succeeded) {
        const intent = intents.find((r) => r.requestId === id);
        expect(intent, `intent of ${id}`).toBeDefined();
        expect(outcomeOf.get(intent!.seq)?.outcome, `outcome of ${id}`).toBe('SUCCESS');
      }
      // Nothing left open, and the interrupted ones are marked for the auditors.
      for (const intent of intents) expect(outcomeOf.has(intent.seq), `intent ${intent.seq} closed`).toBe(true);
      const unknown = [...outcomeOf.values()].filter((o) => o.outcome === 'OUTCOME_UNKNOWN');
      expect(unknown.length).toBeGreaterThan(0);
      for (const o of unknown) expect(succeeded).not.toContain(intents.find((i) => i.seq === o.intentSeq)?.requestId);
      expect((await store.integrity()).ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
