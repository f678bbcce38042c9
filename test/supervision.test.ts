/**
 * Whole-system tests of the supervision record: every change recorded, auditors read it, fail closed.
 * The same suite runs with the embedded SQLite store and with PostgreSQL (a fresh schema per run).
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { ensureDevSecret } from '../core/dev-keys.ts';
import { openSupervisionStore } from '../supervision/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const PG_URL = process.env.SUPERVISION_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A way to run the suite on one backend: its DATABASE_URL, how to lock it, how to clean up. */
interface Backend {
  env: Record<string, string>;
  /** Holds the store's write lock until the returned function is called. */
  lock(t: TestCity): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  return {
    env: {},
    async lock(t) {
      // Waits its turn: the subgraphs write too (instance lease heartbeats), and a lock taken mid-commit would fail at once.
      const db = new DatabaseSync(join(t.dataDir, 'supervision.db'), { timeout: 5000 });
      db.exec('BEGIN EXCLUSIVE');
      return async () => {
        db.exec('ROLLBACK');
        db.close();
      };
    },
    cleanup: async () => {},
  };
}

async function postgresBackend(): Promise<Backend> {
  const schema = `cg_city_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    env: { DATABASE_URL: `${PG_URL}?schema=${schema}` },
    async lock() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query('BEGIN');
      await c.query(`LOCK TABLE ${schema}.supervision_records IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await c.query('ROLLBACK');
        await c.end();
      };
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
])('with the %s store', (_name, makeBackend) => {
  let t: TestCity;
  let backend: Backend;
  let citizen: string;
  let auditor: string;
  let admin: string;

  const CHANGE = `mutation Change($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { citizen { phone } requestId } }`;
  const LOG = `query Log($filter: MutationLogFilter, $first: Int, $after: String) {
    mutationLog(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { endCursor hasNextPage }
      edges { cursor node { seq deptSeq kind department field powerItem outcome errorCode requestId intentSeq args argsDigest
        actor { role sub { masked } } subject { kind masked hmac } prevHash hash } }
    }
  }`;

  beforeAll(async () => {
    backend = await makeBackend();
    t = await startTestCity({ env: { LOG_LEVEL: 'info', ...backend.env } });
    citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
    auditor = await t.token({ role: 'auditor', sub: 'auditor-test' });
    admin = await t.token({ role: 'admin', sub: 'admin-test' });
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
    await backend?.cleanup();
  });
  beforeEach(() => t.resetStats());

  describe('every change recorded', () => {
    it('records intent and outcome of a citizen changing their phone, and the auditor finds both by subject ID', async () => {
      const r = await t.query(CHANGE, { token: citizen, variables: { id: DEMO_CITIZEN_ID, phone: '13912345678' } });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.updateContactPhone.citizen.phone).toBe('13912345678');
      const requestId = r.body.data.updateContactPhone.requestId;

      const log = await t.query(LOG, { token: auditor, variables: { filter: { subjectId: DEMO_CITIZEN_ID, department: 'population' }, first: 50 } });
      expect(log.body.errors).toBeUndefined();
      const mine = log.body.data.mutationLog.edges.map((e: any) => e.node).filter((n: any) => n.requestId === requestId);
      expect(mine.map((n: any) => [n.kind, n.outcome])).toEqual([
        ['INTENT', 'PENDING'],
        ['OUTCOME', 'SUCCESS'],
      ]);
      const [intent, outcome] = mine;
      expect(intent).toMatchObject({ field: 'Mutation.updateContactPhone', powerItem: 'GA-BG-0103', department: 'population', actor: { role: 'citizen' } });
      expect(intent.subject).toMatchObject({ kind: 'citizen', masked: '2101**********2318' });
      expect(outcome.intentSeq).toBe(intent.seq);
      expect(outcome.prevHash).toBe(intent.hash);
      // Personal data never stored in plain text: not the ID, not the phone.
      expect(JSON.stringify(mine)).not.toContain(DEMO_CITIZEN_ID);
      expect(JSON.stringify(mine)).not.toContain('13912345678');
    });

    it('refuses an auditor\'s change with FORBIDDEN, changes nothing in the registry, and records the denied attempt', async () => {
      const r = await t.query(CHANGE, { token: auditor, variables: { id: DEMO_CITIZEN_ID, phone: '13700000000' }, headers: { 'x-request-id': 'auditor-tries-000001' } });
      expect(r.body.data.updateContactPhone).toBeNull();
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await t.stats('population-standin')).requests).toBe(0);
      const log = await t.query(LOG, { token: auditor, variables: { filter: { outcome: 'DENIED', department: 'population' }, first: 100 } });
      const denied = log.body.data.mutationLog.edges.map((e: any) => e.node).filter((n: any) => n.requestId === 'auditor-tries-000001');
      expect(denied.map((n: any) => n.errorCode)).toEqual(['FORBIDDEN']);
    });

    it('records a change refused for bad input with its error code, before any registry call', async () => {
      const r = await t.query(CHANGE, { token: citizen, variables: { id: DEMO_CITIZEN_ID, phone: '12345' }, headers: { 'x-request-id': 'bad-phone-00000001' } });
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'phoneFormat' } });
      expect((await t.stats('population-standin')).requests).toBe(0);
      const log = await t.query(LOG, { token: auditor, variables: { filter: { outcome: 'ERROR' }, first: 100 } });
      expect(log.body.data.mutationLog.edges.some((e: any) => e.node.requestId === 'bad-phone-00000001' && e.node.errorCode === 'BAD_USER_INPUT')).toBe(true);
    });
  });

  describe('auditors read, no one else', () => {
    it('refuses the log to an admin and a citizen, with FORBIDDEN', async () => {
      for (const token of [admin, citizen]) {
        const r = await t.query('{ mutationLog(first: 5) { totalCount } }', { token });
        expect(r.body.data.mutationLog).toBeNull();
        expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });

    it('records the auditor\'s own reads and the denied attempts in the supervision chain', async () => {
      await t.query('{ mutationLog(first: 1) { totalCount } }', { token: citizen, headers: { 'x-request-id': 'citizen-peeks-0001' } });
      await t.query('{ integrity { ok } }', { token: auditor, headers: { 'x-request-id': 'auditor-reads-0001' } });
      const log = await t.query(LOG, { token: auditor, variables: { filter: { department: 'supervision', kind: 'ACCESS' }, first: 100 } });
      const nodes = log.body.data.mutationLog.edges.map((e: any) => e.node);
      expect(nodes.find((n: any) => n.requestId === 'citizen-peeks-0001')).toMatchObject({ outcome: 'DENIED', field: 'Query.mutationLog', actor: { role: 'citizen' } });
      expect(nodes.find((n: any) => n.requestId === 'auditor-reads-0001')).toMatchObject({ outcome: 'SUCCESS', field: 'Query.integrity', actor: { role: 'auditor' } });
    });

    it('pages through the log with cursors and proves one record against its chain', async () => {
      const first = await t.query(LOG, { token: auditor, variables: { first: 2 } });
      const page1 = first.body.data.mutationLog;
      expect(page1.edges).toHaveLength(2);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const second = await t.query(LOG, { token: auditor, variables: { first: 2, after: page1.pageInfo.endCursor } });
      expect(second.body.data.mutationLog.edges[0].node.seq).toBeGreaterThan(page1.edges[1].node.seq);
      // Any edge's cursor resumes right after that edge.
      const fromFirst = await t.query(LOG, { token: auditor, variables: { first: 1, after: page1.edges[0].cursor } });
      expect(fromFirst.body.data.mutationLog.edges[0].node.seq).toBe(page1.edges[1].node.seq);
      const seq = page1.edges[1].node.seq;
      const proof = await t.query(`{ supervisionRecord(seq: ${seq}) { record { seq hash prevHash } previousHash } integrity { ok problems records } }`, { token: auditor });
      expect(proof.body.errors).toBeUndefined();
      expect(proof.body.data.supervisionRecord.record.prevHash).toBe(proof.body.data.supervisionRecord.previousHash);
      expect(proof.body.data.integrity).toMatchObject({ ok: true, problems: [] });
    });

    it('gives the newest checkpoints alone with `last`, and a clear error for a count out of range', async () => {
      // Two checkpoints now, as an operator's `npm run -s audit -- checkpoint` signs them.
      const store = await openSupervisionStore({ url: backend.env.DATABASE_URL, dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
      await store.checkpoint();
      await store.checkpoint();
      await store.close();
      const all = await t.query('{ checkpoints { id } }', { token: auditor });
      const ids = all.body.data.checkpoints.map((c: { id: number }) => c.id);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      const newest = await t.query('{ checkpoints(last: 1) { id } }', { token: auditor });
      expect(newest.body.data.checkpoints.map((c: { id: number }) => c.id)).toEqual(ids.slice(-1));
      const wrong = await t.query('{ checkpoints(last: 0) { id } }', { token: auditor });
      expect(wrong.body.data?.checkpoints ?? null).toBeNull();
      expect(wrong.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/last must be an integer from 1 to 1000/) });
    });
  });

  describe('fail closed', () => {
    it('refuses a change with SUPERVISION_UNAVAILABLE while the store is locked, touches no legacy system, and queries go on', async () => {
      const unlock = await backend.lock(t);
      try {
        const [change, read] = await Promise.all([
          t.query(CHANGE, { token: citizen, variables: { id: DEMO_CITIZEN_ID, phone: '13811112222' } }),
          t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name } }`, { token: citizen }),
        ]);
        expect(change.body.data.updateContactPhone).toBeNull();
        expect(change.body.errors?.[0]?.extensions?.code).toBe('SUPERVISION_UNAVAILABLE');
        expect(read.body.data.citizen.name).toBe('王立军');
        const stats = await t.stats('population-standin');
        expect(stats.requests).toBe(1); // the read only; the change never reached the registry
      } finally {
        await unlock();
      }
      const after = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { phone } }`, { token: citizen });
      expect(after.body.data.citizen.phone).not.toBe('13811112222');
    });
  });
});
