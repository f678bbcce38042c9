/**
 * `npm run -s bench:store`: durable appends to a fresh embedded (SQLite) supervision store, one mutation
 * (intent + outcome) at a time, as the kit writes them. Prints figures; asserts nothing.
 *
 *   BENCH_MUTATIONS=500 npm run -s bench:store
 *   DATABASE_URL=postgres://127.0.0.1:5432/test npm run -s bench:store   # the PostgreSQL store instead
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSupervisionStore } from '../supervision/index.ts';

const n = Number(process.env.BENCH_MUTATIONS ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'citygraph-store-bench-'));
const url = process.env.DATABASE_URL ?? join(dir, 'supervision.db');
const store = await openSupervisionStore({ url, dataDir: dir, subjectKey: 'bench-subject-key-'.padEnd(40, 'x'), checkpointEvery: 0, checkpointIntervalMs: 0 });
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const intent = await store.appendIntent({ department: 'bench', actor: { role: 'citizen' }, field: 'Mutation.bench', args: { i } });
  await store.appendOutcome(intent, { outcome: 'SUCCESS' });
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(
  `Node ${process.version}, ${url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'} store: ${n} mutations (${2 * n} durable appends) in ${ms.toFixed(0)} ms, ` +
    `${((2 * n) / (ms / 1000)).toFixed(0)} appends/s, ${(ms / n).toFixed(2)} ms a mutation`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
