/**
 * `npm run -s bench:store`: the audit's own cost. Durable appends to a fresh supervision store, one
 * mutation (intent + outcome) at a time per writer, as the kit writes them, by BENCH_WRITERS concurrent
 * writers; then the time the offline verifier takes to check every record and chain. Prints figures;
 * asserts nothing.
 *
 *   BENCH_MUTATIONS=500 BENCH_WRITERS=1 npm run -s bench:store
 *   BENCH_WRITERS=8 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run -s bench:store   # PostgreSQL, 8 writers
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSupervisionStore, verifyStore } from '../supervision/index.ts';

const n = Number(process.env.BENCH_MUTATIONS ?? 500);
const writers = Number(process.env.BENCH_WRITERS ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'citygraph-store-bench-'));
let url = join(dir, 'supervision.db');
let cleanup = async () => {};
if (process.env.DATABASE_URL?.startsWith('postgres')) {
  // A schema of its own, so the figures start from an empty store and nothing else is touched.
  const schema = `bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  url = `${process.env.DATABASE_URL}?schema=${schema}`;
  cleanup = async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  };
}
const kind = url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite';
const store = await openSupervisionStore({ url, dataDir: dir, subjectKey: 'bench-subject-key-'.padEnd(40, 'x'), checkpointEvery: 0, checkpointIntervalMs: 0 });
try {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < n) {
        const i = next++;
        const intent = await store.appendIntent({ department: `bench${i % 4}`, actor: { role: 'citizen' }, field: 'Mutation.bench', args: { i } });
        await store.appendOutcome(intent, { outcome: 'SUCCESS' });
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `Node ${process.version}, ${kind} store, ${writers} writer(s): ${n} mutations (${2 * n} durable appends) in ${ms.toFixed(0)} ms: ` +
      `${(n / (ms / 1000)).toFixed(0)} audited mutations/s, ${((2 * n) / (ms / 1000)).toFixed(0)} appends/s`,
  );
  await store.checkpoint();
  const v0 = process.hrtime.bigint();
  const result = await verifyStore({ db: url });
  const vms = Number(process.hrtime.bigint() - v0) / 1e6;
  console.log(`verify: ${result.ok ? 'ok' : 'FAILED'}, ${2 * n} records in ${vms.toFixed(0)} ms, about ${((vms / (2 * n)) * 1e6 / 1000).toFixed(1)} s per million records`);
} finally {
  await store.close();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
}
