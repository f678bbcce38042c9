/**
 * `npm run -s bench:store`: the audit's own cost. Durable appends to a fresh supervision store, one
 * mutation (intent + outcome) at a time per writer, as the kit writes them, by BENCH_WRITERS concurrent
 * writers; then the time the offline verifier takes to check every record and chain. With
 * BENCH_VERIFY_RECORDS it also builds a store of that many records quickly (large transactions through
 * the store's own drafting and sealing code, with a signed checkpoint every BENCH_CHECKPOINT_EVERY
 * records, default 100 as the city signs them, and one at the end) and times its verification.
 * Prints figures; asserts nothing.
 *
 *   BENCH_MUTATIONS=10000 BENCH_WRITERS=8 npm run -s bench:store                                   # after BENCH_WARMUP_MUTATIONS (500) untimed
 *   BENCH_MUTATIONS=10000 BENCH_WRITERS=8 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run -s bench:store   # PostgreSQL, 8 writers
 *   BENCH_MUTATIONS=0 BENCH_VERIFY_RECORDS=1000000 npm run -s bench:store                          # verify one million records (10,000 checkpoints; BENCH_CHECKPOINT_EVERY=0: only one at the end)
 *   BENCH_MUTATIONS=0 BENCH_ACCESS_REQUESTS=300 npm run -s bench:store                             # access records: 1, 2, 100 per request, as the kit writes them, and a bare round trip to a worker thread
 *   BENCH_MUTATIONS=0 BENCH_VERIFY_DB=/tmp/…/verify.db npm run -s bench:store                      # time the verifier on a kept store (BENCH_VERIFY_PLAIN=1: one thread)
 *   BENCH_MUTATIONS=0 BENCH_VERIFY_DB=/tmp/…/verify.db BENCH_PROOFS=1 npm run -s bench:store       # and the auditors' proofs (supervisionRecord, consistencyProof)
 *   BENCH_MUTATIONS=0 BENCH_VERIFY_DB=/tmp/…/verify.db BENCH_FILTERS=1 npm run -s bench:store      # auditors' filters (SQLite; BENCH_FILTERS_PLAIN=1: as before their indexes)
 *
 * BENCH_FILTERS copies the kept store, adds two access records per record by SQL (reads by four roles,
 * 2 % denied, spread over a month; not hash-valid: for timing reads only), and times a page, a page
 * further on, and the count of each filter auditors use, through the backend as the subgraph reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { draftIntent, draftOutcome } from '../supervision/draft.ts';
import { openSupervisionStore, verifyStore } from '../supervision/index.ts';
import type { SqlFilter } from '../supervision/columns.ts';
import { openBackend } from '../supervision/open-backend.ts';
import { sealRecord, type SupervisionRecord } from '../supervision/record.ts';
import { DEFAULT_CHECKPOINT_EVERY, defaultKeyPaths } from '../supervision/config.ts';
import { addSignedCheckpoint } from '../supervision/maintenance.ts';
import { MerkleFrontier } from '../supervision/merkle.ts';
import { loadOrCreateSigner } from '../supervision/signing.ts';
import { listCitizenIds } from '../adapters/population/standin/index.ts';
import { DisclosureLog, writeDisclosures } from '../subgraphs/kit/disclosure.ts';
import { describeFloor, describeThreadFloor, tcpRoundTrip, threadRoundTrip } from './lib/floor.ts';
import type { SubgraphContext } from '../subgraphs/kit/context.ts';
import { useCompileCache } from '../scripts/lib/processes.ts';

// As `npm run audit -- verify` runs: the verifier's worker threads load their modules from the code cache.
useCompileCache();

const n = Number(process.env.BENCH_MUTATIONS ?? 500);
/** Mutations written first, untimed, on the same store (JIT, connections, the first groups and pages); default 500. */
const warmup = Number(process.env.BENCH_WARMUP_MUTATIONS ?? 500);
const writers = Number(process.env.BENCH_WRITERS ?? 1);
const verifyRecords = Number(process.env.BENCH_VERIFY_RECORDS ?? 0);
const accessRequests = Number(process.env.BENCH_ACCESS_REQUESTS ?? 0);
/** Records between two checkpoints of the built store: the city's default (`checkpointEvery`); 0 for one checkpoint at the end. */
const checkpointEvery = Number(process.env.BENCH_CHECKPOINT_EVERY ?? DEFAULT_CHECKPOINT_EVERY);
const subjectKey = 'bench-subject-key-'.padEnd(40, 'x');
const dir = mkdtempSync(join(tmpdir(), 'citygraph-store-bench-'));
const admin = process.env.DATABASE_URL?.startsWith('postgres') ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : null;
await admin?.connect();
const schemas: string[] = [];

/** A fresh, empty store location: a SQLite file, or a PostgreSQL schema of its own so nothing else is touched. */
async function freshLocation(name: string): Promise<string> {
  if (!admin) return join(dir, `${name}.db`);
  const schema = `bench_${process.pid}_${name}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  return `${process.env.DATABASE_URL}?schema=${schema}`;
}

const kind = admin ? 'PostgreSQL' : 'SQLite';

async function appendBench(): Promise<void> {
  const url = await freshLocation('appends');
  const store = await openSupervisionStore({ url, dataDir: dir, subjectKey, checkpointEvery: 0, checkpointIntervalMs: 0 });
  const mutations = async (count: number, from: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < from + count) {
          const i = next++;
          const intent = await store.appendIntent({ department: `bench${i % 4}`, actor: { role: 'citizen' }, field: 'Mutation.bench', args: { i } });
          await store.appendOutcome(intent, { outcome: 'SUCCESS' });
        }
      }),
    );
  };
  try {
    await mutations(warmup, 0);
    const t0 = process.hrtime.bigint();
    await mutations(n, warmup);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(
      `Node ${process.version}, ${kind} store, ${writers} writer(s): ${n} mutations (${2 * n} durable appends, after ${warmup} untimed) in ${ms.toFixed(0)} ms: ` +
        `${(n / (ms / 1000)).toFixed(0)} audited mutations/s, ${((2 * n) / (ms / 1000)).toFixed(0)} appends/s`,
    );
    await store.checkpoint();
  } finally {
    await store.close();
  }
  await timeVerify(url, 2 * (n + warmup));
}

/**
 * Access records as the kit writes them for a staff read of `perRequest` citizens (one record each, one
 * group commit), one request at a time: the store's CPU and wall time per request.
 */
async function accessBench(perRequest: number): Promise<void> {
  const url = await freshLocation(`access${perRequest}`);
  // Checkpoints as a subgraph signs them (count-triggered at most once a second, plus the timer).
  const store = await openSupervisionStore({ url, dataDir: dir, subjectKey });
  const ids = listCitizenIds(perRequest);
  const principal = { sub: 'bench-clerk', role: 'staff', department: 'population', scopes: [], onBehalfOf: null, client: null } as const;
  const request = async (i: number) => {
    const disclosures = new DisclosureLog();
    for (const id of ids) for (const f of ['Citizen.name', 'Citizen.gender']) disclosures.add({ kind: 'citizen', id }, f);
    const ctx = { principal, requestId: `bench-${i}-request`, log: null, loaders: null, disclosures } as unknown as SubgraphContext;
    await writeDisclosures('population', store, ctx);
  };
  try {
    for (let i = 0; i < 20; i++) await request(-i - 1); // warm-up
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < accessRequests; i++) await request(i);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `${kind} store, access records of ${perRequest} citizen(s) a request, ${accessRequests} requests one at a time: ` +
        `CPU ${((cpu.user + cpu.system) / 1000 / accessRequests).toFixed(2)} ms a request (${((cpu.user + cpu.system) / accessRequests / perRequest).toFixed(1)} µs a record), wall ${(ms / accessRequests).toFixed(2)} ms a request`,
    );
  } finally {
    await store.close();
  }
}

/** Builds a store of `total` realistic records (intent + outcome pairs over 6 departments) in large transactions. */
async function buildStore(total: number): Promise<string> {
  const url = await freshLocation('verify');
  // Opening the store once creates the schema and its signing key.
  await (await openSupervisionStore({ url, dataDir: dir, subjectKey, checkpointEvery: 0, checkpointIntervalMs: 0 })).close();
  const db = openBackend(url);
  const o = { hash: (await db.readHashAlgorithm())!, subjectKey, maxArgsBytes: 65536 };
  const seal = (d: Parameters<typeof sealRecord>[0], p: Parameters<typeof sealRecord>[1]) => sealRecord(d, p, o.hash);
  // The store's own key, as the city's processes sign with it; one frontier per chain, as a store keeps them.
  const signer = loadOrCreateSigner(defaultKeyPaths(dir, 'sm2'));
  const frontiers = new Map<string, MerkleFrontier>();
  let checkpoints = 0;
  const t0 = process.hrtime.bigint();
  try {
    const departments = ['population', 'medicalInsurance', 'housingFund', 'parking', 'tax', 'civilAffairs'];
    // Batches of pairs: each batch's intents, then (next batch) their outcomes, so intents and outcomes interleave as in life.
    let pending: SupervisionRecord[] = [];
    for (let written = 0, i = 0; written < total; ) {
      const room = Math.min(checkpointEvery > 0 ? checkpointEvery : 2000, total - written);
      const entries = pending.slice(0, room).map((intent) => ({ draft: draftOutcome(intent, { outcome: 'SUCCESS' }) }));
      pending = pending.slice(entries.length);
      while (entries.length < room) {
        const id = `2101021990${String(i % 10000).padStart(4, '0')}0000`.slice(0, 17) + 'X';
        entries.push({
          draft: draftIntent({
            department: departments[i % departments.length]!, actor: { role: 'citizen', sub: id, client: 'demo-app' }, operation: 'UpdatePhone',
            field: 'Mutation.updateContactPhone', powerItem: 'GA-2101-0042', subject: { kind: 'citizen', id },
            args: { id, phone: `138${String(i).padStart(8, '0')}` }, requestId: `req-${i}`,
          }, 'PENDING', null, o),
        });
        i++;
      }
      const results = (await db.appendMany(entries, seal)) as SupervisionRecord[];
      pending.push(...results.filter((r) => r.kind === 'intent'));
      written += results.length;
      if (checkpointEvery > 0 && written < total) {
        await addSignedCheckpoint(db, signer, o.hash, frontiers);
        checkpoints++;
      }
    }
    await addSignedCheckpoint(db, signer, o.hash, frontiers);
    checkpoints++;
  } finally {
    await db.close();
  }
  console.log(`built a ${kind} store of ${total} records and ${checkpoints} signed checkpoints in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  return url;
}

async function timeVerify(url: string, records: number): Promise<void> {
  const v0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // BENCH_VERIFY_PLAIN=1: the one-thread verifier, to compare with the parallel one.
  const result = await verifyStore({
    db: url, ...(process.env.BENCH_VERIFY_PLAIN === '1' ? { parallelAbove: Infinity } : {}),
    ...(process.env.BENCH_VERIFY_WORKERS ? { workers: Number(process.env.BENCH_VERIFY_WORKERS) } : {}),
    onFallback: (reason) => console.log(`the parallel verifier gave up (${reason}); the plain one ran`),
  });
  const vms = Number(process.hrtime.bigint() - v0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  if (Number.isNaN(records)) records = result.records; // a kept store: as many as it holds
  console.log(
    `verify${process.env.BENCH_VERIFY_PLAIN === '1' ? ' (one thread)' : ''}: ${result.ok ? 'ok' : 'FAILED'}, ${result.records} of ${records} records in ${vms.toFixed(0)} ms (verifier CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms), ` +
      `about ${((vms / records) * 1e6 / 1000).toFixed(1)} s per million records`,
  );
}

/**
 * Inclusion and consistency proofs as the supervision subgraph answers them: the first of a chain in a
 * process that has read nothing yet, the first after the process signed a checkpoint (as a subgraph
 * does on its timer), then later ones.
 */
async function proofBench(url: string): Promise<void> {
  const open = () => openSupervisionStore({ url, dataDir: dir, subjectKey, checkpointEvery: 0, checkpointIntervalMs: 0 });
  const timed = async (f: () => Promise<unknown>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
  };
  const mean = (xs: { ms: number }[]) => (xs.reduce((a, x) => a + x.ms, 0) / xs.length).toFixed(1);
  const cold = await open();
  const cp = (await cold.checkpoints()).at(-1);
  const head = cp?.heads.find((h) => h.root);
  if (!cp || !head) {
    await cold.close();
    return void console.log('proofs: the store has no checkpoint with a Merkle root');
  }
  const seqs = (await cold.query({ department: head.department }, { first: 100 })).records.map((r) => r.seq);
  const first = await timed(() => cold.proof(seqs[0]!));
  await cold.close();
  const store = await open();
  try {
    const signing = await timed(() => store.checkpoint());
    const warm = await timed(() => store.proof(seqs[1]!));
    const later = [];
    for (let i = 1; i < 21; i++) later.push(await timed(() => store.proof(seqs[(i * 37) % seqs.length]!)));
    const consistency = [];
    for (let i = 1; i < 21; i++) consistency.push(await timed(() => store.consistencyProof(head.department, Math.max(1, Math.floor((head.deptSeq * i) / 23)), head.deptSeq)));
    console.log(
      `proofs over the ${head.department} chain of ${head.deptSeq} records: the first supervisionRecord of a fresh process ${first.ms.toFixed(0)} ms (CPU ${first.cpu.toFixed(0)} ms); ` +
        `after the process signed a checkpoint (${signing.ms.toFixed(0)} ms, every chain read once) the first ${warm.ms.toFixed(1)} ms, ` +
        `the next 20 ${mean(later)} ms each, 20 consistency proofs ${mean(consistency)} ms each`,
    );
  } finally {
    await store.close();
  }
}

/** Auditors' filters over a copy of the store at `file` with access records added (see the header). */
async function filterBench(file: string): Promise<void> {
  const { DatabaseSync } = await import('node:sqlite');
  const copy = join(dir, 'filters.db');
  const t0 = performance.now();
  const source = new DatabaseSync(file, { readOnly: true });
  source.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`);
  source.close();
  const db = new DatabaseSync(copy);
  const base = (db.prepare('SELECT max(seq) AS m FROM supervision_records').get() as { m: number }).m;
  const cols = (db.prepare("SELECT name FROM pragma_table_info('supervision_records')").all() as { name: string }[]).map((r) => r.name);
  for (const copyNo of [1, 2]) {
    const value = (c: string) => ({
      seq: `seq + ${copyNo * base}`, dept_seq: `dept_seq + ${copyNo * base}`, kind: "'access'", intent_seq: 'NULL', case_number: 'NULL', field: "'Citizen.name'",
      outcome: "CASE WHEN seq % 50 = 0 THEN 'DENIED' ELSE 'SUCCESS' END",
      actor_role: "CASE seq % 4 WHEN 0 THEN 'staff' WHEN 1 THEN 'integrator' WHEN 2 THEN 'app' ELSE 'admin' END",
      time: `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01', '+' || ((seq + ${copyNo - 1} * ${base}) * 1.3) || ' seconds')`,
    } as Record<string, string>)[c] ?? c;
    db.exec(`INSERT INTO supervision_records (${cols.join(', ')}) SELECT ${cols.map(value).join(', ')} FROM supervision_records WHERE seq <= ${base}`);
  }
  const plain = process.env.BENCH_FILTERS_PLAIN === '1';
  if (plain) for (const name of ['supervision_records_kind', 'supervision_records_outcome']) db.exec(`DROP INDEX IF EXISTS ${name}`);
  db.close();
  const total = 3 * base;
  console.log(`filters: a store of ${total} records (${base} intents and outcomes, ${2 * base} access records) made in ${((performance.now() - t0) / 1000).toFixed(1)} s${plain ? ', without the filter indexes' : ''}`);
  const backend = openBackend(copy, { readOnly: plain });
  const m0 = performance.now();
  await backend.migrate(undefined); // an older store gets the filter indexes here (not with BENCH_FILTERS_PLAIN)
  if (!plain) console.log(`filters: opening the store (building any missing filter index) took ${((performance.now() - m0) / 1000).toFixed(1)} s`);
  const day = { from: '2026-11-15T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' };
  const filters: [string, SqlFilter][] = [
    ['none', {}], ['kind access', { kind: 'access' }], ['department', { department: 'population' }],
    ["a department's intents", { department: 'population', kind: 'intent' }], ["a department's reads", { department: 'population', kind: 'access' }],
    ["a department's intents in a day (the console's chart)", { department: 'population', kind: 'intent', ...day }],
    ["a department's reads in a day", { department: 'population', kind: 'access', ...day }],
    ['outcome DENIED', { outcome: 'DENIED' }], ['outcome ERROR (none)', { outcome: 'ERROR' }], ['a day', day],
    ['actor role integrator', { actorRole: 'integrator' }], ['reads by integrators', { kind: 'access', actorRole: 'integrator' }],
  ];
  const ms = async (f: () => Promise<unknown>) => {
    await f(); // warm: statements prepared, pages cached
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const rows: Record<string, Record<string, string>> = {};
  try {
    for (const [name, f] of filters) {
      const page = await ms(() => backend.query(f, 0, 51, false));
      const later = await ms(() => backend.query(f, Math.floor(total / 2), 51, false));
      const count = await ms(() => backend.query(f, 0, 51, true));
      const matches = (await backend.query(f, 0, 1, true)).total;
      rows[name] = { matches: String(matches), 'first page ms': page.toFixed(1), 'page at the middle ms': later.toFixed(1), 'page + count ms': count.toFixed(1) };
    }
  } finally {
    await backend.close();
  }
  console.table(rows);
}

try {
  if (n > 0) await appendBench();
  if (accessRequests > 0) console.log(describeThreadFloor(await threadRoundTrip(10 * accessRequests)));
  if (accessRequests > 0) console.log(describeFloor(await tcpRoundTrip(10 * accessRequests)));
  if (accessRequests > 0) for (const per of [1, 2, 100]) await accessBench(per);
  if (verifyRecords > 0) await timeVerify(await buildStore(verifyRecords), verifyRecords);
  if (process.env.BENCH_VERIFY_DB) await timeVerify(process.env.BENCH_VERIFY_DB, NaN);
  if (process.env.BENCH_VERIFY_DB && process.env.BENCH_PROOFS === '1') await proofBench(process.env.BENCH_VERIFY_DB);
  if (process.env.BENCH_VERIFY_DB && process.env.BENCH_FILTERS === '1') await filterBench(process.env.BENCH_VERIFY_DB);
} finally {
  for (const s of process.env.BENCH_KEEP ? [] : schemas) await admin?.query(`DROP SCHEMA ${s} CASCADE`);
  await admin?.end();
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
