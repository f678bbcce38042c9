/**
 * `npm run bench`: starts the whole city (real processes, stand-ins at zero latency), then measures
 * through the gateway: start-up time, the demo query for one citizen, a 50-ID batch joined across
 * two departments, the dashboard read by an admin and 100 citizens read by staff (each writing access
 * records), and a recorded mutation. Prints figures; asserts nothing.
 *
 *   BENCH_REQUESTS=400 BENCH_CONCURRENCY=8 npm run -s bench
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { signDevToken } from '../gateway/auth/index.ts';
import { startCity } from '../scripts/lib/city.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
/** Only the measurements whose name contains this text; default all. */
const ONLY = process.env.BENCH_ONLY ?? '';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-bench-'));
const t0 = performance.now();
const city = await startCity({ dataDir, env: { LOG_LEVEL: 'warn' } });
const startupMs = performance.now() - t0;
const secret = ensureDevKeys(dataDir).jwtSecret;
const citizen = await signDevToken({ secret, role: 'citizen', sub: DEMO_CITIZEN_ID });
const admin = await signDevToken({ secret, role: 'admin', sub: 'bench' });
const staff = await signDevToken({ secret, role: 'staff', sub: 'bench-clerk', department: 'population' });
const ids = listCitizenIds(50);
const hundred = listCitizenIds(100);

async function post(token: string, query: string, variables?: object): Promise<void> {
  const res = await fetch(city.gatewayUrl, {
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
function cityCpuMs(): number {
  let ticks = 0;
  for (const s of Object.values(city.services)) {
    try {
      const f = readFileSync(`/proc/${s.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      return NaN; // not Linux: no figure
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
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

try {
  const demo = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name gender birthDate address { divisionCode } insurance { status balance } } }`;
  const batch = 'query($ids: [ID!]!) { citizens(ids: $ids) { id name insurance { status balance } } }';
  const hundredNames = 'query($ids: [ID!]!) { citizens(ids: $ids) { id name gender } }';
  const change = 'mutation($id: ID!, $phone: String!) { updateContactPhone(citizenId: $id, phone: $phone) { requestId } }';
  const rows = [
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
  rmSync(dataDir, { recursive: true, force: true });
}
