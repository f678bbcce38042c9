/**
 * `npm run bench`: starts the whole city (real processes, stand-ins at zero latency), then measures
 * through the gateway: start-up time, the demo query for one citizen, a 50-ID batch joined across
 * two departments, the dashboard read by an admin and 100 citizens read by staff (each writing access
 * records), and a recorded mutation. Prints figures; asserts nothing.
 *
 *   BENCH_REQUESTS=400 BENCH_CONCURRENCY=8 npm run -s bench
 *
 * With BENCH_READ_RECORDS_COST=1 it measures instead what access records cost: a second city of the
 * same build started with CITYGRAPH_BENCH_NO_READ_RECORDS=1, and the two reads of personal data by
 * someone else run against both in alternating rounds (BENCH_ROUNDS, default 4, after BENCH_WARMUP_MS of
 * warm-up per city and operation, default 10000), with
 * the CPU per request of each process from /proc (and of the population and medical insurance
 * subgraphs' writer threads, which commit their access records, inside their process's figure).
 *
 *   BENCH_READ_RECORDS_COST=1 BENCH_ROUNDS=4 BENCH_REQUESTS=400 npm run -s bench
 *
 * BENCH_CPU_PROF=subgraph-population,gateway writes V8 CPU profiles of those processes (of each city:
 * `with/` and `without/` under BENCH_CPU_PROF_DIR, default a folder under /tmp); figures then include the profiler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { signDevToken } from '../gateway/auth/index.ts';
import { startCity } from '../scripts/lib/city.ts';
import { CPU_PROF_DIR, cpuProfEnv } from './lib/cpu-prof.ts';
import { cpuSeconds, threadCpuSeconds } from './lib/proc.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
/** Only the measurements whose name contains this text; default all. */
const ONLY = process.env.BENCH_ONLY ?? '';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const RECORDS_COST = process.env.BENCH_READ_RECORDS_COST === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/** Milliseconds of warm-up per city and operation before the measured rounds of BENCH_READ_RECORDS_COST. */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 10_000);

const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-bench-'));
const t0 = performance.now();
const city = await startCity({ dataDir, env: { LOG_LEVEL: 'warn' }, serviceEnv: cpuProfEnv(join(CPU_PROF_DIR, 'with')) });
const startupMs = performance.now() - t0;
// The same build with access records off (benchmarks only).
const bareDir = RECORDS_COST ? mkdtempSync(join(tmpdir(), 'citygraph-bench-bare-')) : null;
const bare = bareDir ? await startCity({ dataDir: bareDir, env: { LOG_LEVEL: 'warn', CITYGRAPH_BENCH_NO_READ_RECORDS: '1' }, serviceEnv: cpuProfEnv(join(CPU_PROF_DIR, 'without')) }) : null;
const secret = ensureDevKeys(dataDir).jwtSecret;
const citizen = await signDevToken({ secret, role: 'citizen', sub: DEMO_CITIZEN_ID });
const admin = await signDevToken({ secret, role: 'admin', sub: 'bench' });
const staff = await signDevToken({ secret, role: 'staff', sub: 'bench-clerk', department: 'population' });
const ids = listCitizenIds(50);
const hundred = listCitizenIds(100);

async function post(token: string, query: string, variables?: object, url = city.gatewayUrl): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`benchmark query failed: ${JSON.stringify(body.errors[0])}`);
}

/**
 * CPU time (user + system, ms) used so far by every process of the city. Unlike req/s it hardly moves
 * when other work shares the machine, so it is the figure to compare a feature's cost by.
 */
function cityCpuMs(of = city): number {
  try {
    return Object.values(of.services).reduce((ms, s) => ms + cpuSeconds(s.child.pid!) * 1000, 0);
  } catch {
    return NaN; // not Linux: no figure
  }
}

async function measure(name: string, total: number, run: (i: number) => Promise<void>) {
  if (!name.includes(ONLY)) return null;
  for (let i = 0; i < Math.min(20, total); i++) await run(i); // warm-up
  const cpu0 = cityCpuMs();
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await run(i);
        times.push(performance.now() - s);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  const cpu = (cityCpuMs() - cpu0) / total;
  return { name, requests: total, concurrency: CONCURRENCY, 'req/s': (total / wall).toFixed(0), 'cpu ms/req': cpu.toFixed(1), 'p50 ms': q(0.5), 'p95 ms': q(0.95), 'p99 ms': q(0.99) };
}

/** Subgraphs whose supervision writer thread (the group commits of their access records) is reported apart. */
const WRITERS = ['subgraph-population', 'subgraph-medicalInsurance'];

/** CPU ms used so far by each process of `of`, by name, and by the writer threads of WRITERS (`<name> writer`). */
function processCpuMs(of: typeof city): Record<string, number> {
  const byProcess = Object.entries(of.services).map(([name, s]) => [name, cpuSeconds(s.child.pid!) * 1000] as const);
  const writers = WRITERS.filter((name) => of.services[name]).map((name) => [`${name} writer`, threadCpuSeconds(of.services[name]!.child.pid!, 'WorkerThread') * 1000] as const);
  return Object.fromEntries([...byProcess, ...writers]);
}

/** One round of `total` requests at CONCURRENCY against one city: req/s and CPU ms per request by process. */
async function round(of: typeof city, total: number, run: () => Promise<void>) {
  const cpu0 = processCpuMs(of);
  let next = 0;
  const started = performance.now();
  let failed = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    // On a loaded machine a request may miss its deadline: counted, not fatal to the round.
    while (next++ < total) await run().catch(() => failed++);
  }));
  const wall = (performance.now() - started) / 1000;
  const cpu1 = processCpuMs(of);
  const perProcess = Object.fromEntries(Object.keys(cpu1).map((k) => [k, (cpu1[k]! - cpu0[k]!) / total]));
  // The processes only: a writer thread's figure is already inside its process's.
  const city = Object.keys(of.services).reduce((a, k) => a + perProcess[k]!, 0);
  return { rps: total / wall, perProcess, city, failed };
}

/** Access records' cost: the same reads against the city with and without them, alternating rounds. */
async function recordsCost(): Promise<void> {
  const bareSecret = ensureDevKeys(bareDir!).jwtSecret;
  // A pool of readers, so the per-caller rate limit (600 a minute) never refuses a round.
  const POOL = 20;
  const tokens = async (sec: string) => {
    const admins = await Promise.all(Array.from({ length: POOL }, (_, i) => signDevToken({ secret: sec, role: 'admin', sub: `bench-${i}` })));
    const staffs = await Promise.all(Array.from({ length: POOL }, (_, i) => signDevToken({ secret: sec, role: 'staff', sub: `bench-clerk-${i}`, department: 'population' })));
    let n = 0;
    return { get admin() { return admins[n++ % POOL]!; }, get staff() { return staffs[n++ % POOL]!; } };
  };
  const targets = [
    { name: 'with records', of: city, t: await tokens(secret) },
    { name: 'without records', of: bare!, t: await tokens(bareSecret) },
  ];
  const demo = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name gender birthDate address { divisionCode } insurance { status balance } } }`;
  const hundredNames = 'query($ids: [ID!]!) { citizens(ids: $ids) { id name gender } }';
  const ops = [
    { name: 'dashboard read by admin (2 access records)', total: REQUESTS, run: (x: (typeof targets)[0]) => post(x.t.admin, demo, undefined, x.of.gatewayUrl) },
    { name: 'citizens(100 ids) read by staff (100 access records)', total: Math.max(20, REQUESTS / 10), run: (x: (typeof targets)[0]) => post(x.t.staff, hundredNames, { ids: hundred }, x.of.gatewayUrl) },
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const op of ops) {
    if (!op.name.includes(ONLY)) continue;
    // Warm-up: V8 keeps optimising for many seconds under load (rounds after 50 requests still ran
    // 1.5-3x faster one after the other), so each city gets WARMUP_MS of this operation first.
    for (const x of targets) {
      for (const until = performance.now() + WARMUP_MS; performance.now() < until;) await round(x.of, Math.min(50, op.total), () => op.run(x));
    }
    const results = new Map(targets.map((x) => [x.name, [] as Awaited<ReturnType<typeof round>>[]]));
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating order (A B, B A, …) so neither side always runs first.
      for (const x of r % 2 ? [...targets].reverse() : targets) results.get(x.name)!.push(await round(x.of, op.total, () => op.run(x)));
    }
    console.log(`\n${op.name}: ${ROUNDS} alternating rounds of ${op.total} requests, concurrency ${CONCURRENCY}`);
    const table: Record<string, Record<string, string>> = {};
    for (const [name, rs] of results) {
      const row: Record<string, string> = { 'req/s (median)': median(rs.map((x) => x.rps)).toFixed(0), 'req/s (rounds)': rs.map((x) => x.rps.toFixed(0)).join(' '), 'city CPU ms/req': median(rs.map((x) => x.city)).toFixed(2), failed: String(rs.reduce((a, x) => a + x.failed, 0)) };
      for (const p of ['gateway', 'subgraph-population', 'subgraph-population writer', 'subgraph-medicalInsurance', 'subgraph-medicalInsurance writer', 'subgraph-supervision']) row[`${p} ms/req`] = median(rs.map((x) => x.perProcess[p] ?? 0)).toFixed(2);
      table[name] = row;
    }
    console.table(table);
    const w = results.get('with records')!;
    const wo = results.get('without records')!;
    const cost = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
    console.log(`cost of the records: city CPU per request ${cost(median(w.map((x) => x.city)), median(wo.map((x) => x.city)))}, ` +
      `population subgraph CPU per request ${cost(median(w.map((x) => x.perProcess['subgraph-population']!)), median(wo.map((x) => x.perProcess['subgraph-population']!)))}, ` +
      `throughput ${cost(median(w.map((x) => x.rps)), median(wo.map((x) => x.rps)))}`);
  }
}

try {
  if (RECORDS_COST) await recordsCost();
  const demo = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name gender birthDate address { divisionCode } insurance { status balance } } }`;
  const batch = 'query($ids: [ID!]!) { citizens(ids: $ids) { id name insurance { status balance } } }';
  const hundredNames = 'query($ids: [ID!]!) { citizens(ids: $ids) { id name gender } }';
  const change = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';
  const rows = RECORDS_COST ? [] : [
    await measure('demo query (2 departments, 1 citizen)', REQUESTS, () => post(citizen, demo)),
    await measure('citizens(50 ids) joined with insurance', Math.max(20, REQUESTS / 10), () => post(admin, batch, { ids })),
    // Reads of personal data by someone else: each request writes its access records (group-committed).
    await measure('dashboard read by admin (2 access records)', REQUESTS, () => post(admin, demo)),
    await measure('citizens(100 ids) read by staff (100 access records)', Math.max(20, REQUESTS / 10), () => post(staff, hundredNames, { ids: hundred })),
    await measure('updateContactPhone (recorded, SQLite)', Math.max(20, REQUESTS / 4), (i) => post(citizen, change, { id: DEMO_CITIZEN_ID, phone: `139${String(i).padStart(8, '0')}` })),
  ];
  console.log(`start-up of ${Object.keys(city.services).length} processes: ${(startupMs / 1000).toFixed(1)} s`);
  console.table(rows.filter((r) => r !== null));
  const mem = process.memoryUsage();
  console.log(`bench process rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB; node ${process.version}; ${(await import('node:os')).cpus().length} cores`);
} finally {
  await city.stop();
  await bare?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (bareDir) rmSync(bareDir, { recursive: true, force: true });
}
