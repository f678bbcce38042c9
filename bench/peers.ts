/**
 * `npm run -s bench:peers`: this gateway side by side with the Node gateways a city would otherwise
 * pick, over the same subgraphs and stand-ins, in one run on this machine. Targets: CityGraph's gateway
 * (every protection on), bare @apollo/gateway (its default fetcher), Hive Gateway with its own planner and
 * with the Hive Router runtime, and the population subgraph called directly (a floor). Loads: each
 * request a different citizen of 200 with their own credential, and one citizen repeated. Rounds
 * alternate between targets after a warm-up; CPU per request is read from /proc for every process, since
 * on two shared cores req/s alone is noisy. Prints figures, writes docs/BENCHMARKS.md, asserts nothing.
 *
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=10 npm run -s bench:peers
 *
 * `BENCH_SOAK_SECONDS=300` then keeps CityGraph's gateway under the many-citizen load for 5 minutes and
 * prints its resident memory every 10 s and the slope of the second half (is memory flat?).
 * `BENCH_CPU_PROF=gateway,subgraph-population` writes V8 CPU profiles of those processes to
 * `BENCH_CPU_PROF_DIR`.
 *
 * `BENCH_TARGETS=citygraph,floor` measures only some targets (names: citygraph, apollo, hive,
 * hive-router, floor), e.g. CityGraph alone before and after a change; peers not named are not
 * started, and docs/BENCHMARKS.md is written only when every target ran under both loads. `BENCH_LOADS=many`
 * runs only the many-citizens load (default `many,one`); `BENCH_CITIZENS` sets its citizens (default 200).
 *
 * The peers live in bench/peers/ with a lockfile of their own, installed there on first use, so that they
 * never enter the project's own install.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { listCitizenIds } from '../adapters/population/standin/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from '../core/principal.ts';
import { signDevToken } from '../gateway/auth/index.ts';
import { startCity } from '../scripts/lib/city.ts';
import { ROOT } from '../scripts/lib/processes.ts';
import { SUBGRAPHS } from '../scripts/lib/subgraphs.ts';
import { cpuProfEnv } from './lib/cpu-prof.ts';
import { describeFloor, tcpRoundTrip } from './lib/floor.ts';
import { cpuSeconds, peakRssMiB, rssMiB, type CpuSample } from './lib/proc.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Citizens of the many-citizens load; BENCH_CITIZENS sets it (up to the stand-in's 10,000), e.g. more than the gateway's caches hold. */
const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 200);
if (!Number.isInteger(CITIZENS) || CITIZENS < 1 || CITIZENS > 10_000) throw new Error(`BENCH_CITIZENS must be a whole number from 1 to 10000, got ${process.env.BENCH_CITIZENS}.`);
/** BENCH_SOAK_SECONDS=300: after the rounds, CityGraph's gateway under the many-citizen load that long, its memory sampled. */
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 0);
/** Short names of the targets, in order; BENCH_TARGETS picks some (default all). */
const TARGET_KEYS = ['citygraph', 'apollo', 'hive', 'hive-router', 'floor'] as const;
const picked = (process.env.BENCH_TARGETS ?? TARGET_KEYS.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
for (const t of picked) if (!(TARGET_KEYS as readonly string[]).includes(t)) throw new Error(`BENCH_TARGETS: no target named ${t}; there are ${TARGET_KEYS.join(', ')}.`);
const ALL_TARGETS = TARGET_KEYS.every((t) => picked.includes(t));
/** The loads to run, in order; BENCH_LOADS picks some (default both). */
const LOADS = (process.env.BENCH_LOADS ?? 'many,one').split(',').map((l) => l.trim()).filter(Boolean);
for (const l of LOADS) if (l !== 'many' && l !== 'one') throw new Error(`BENCH_LOADS: no load named ${l}; there are many, one.`);
const PEERS_DIR = join(ROOT, 'bench/peers');

if (!existsSync(join(PEERS_DIR, 'node_modules'))) {
  process.stdout.write('Installing the peer gateways into bench/peers (first use only)…\n');
  execFileSync('npm', ['ci'], { cwd: PEERS_DIR, stdio: 'inherit' });
}
const autocannon = createRequire(join(PEERS_DIR, 'package.json'))('autocannon') as (opts: object) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  /** Answers `verifyBody` refused (here: GraphQL errors in a 200). */
  mismatches: number;
  errors: number;
  duration: number;
}

/** The dashboard of one citizen: every department that answers for a citizen today (six legacy systems). */
const dashboard = (id: string) =>
  `{ citizen(id: "${id}") { name gender birthDate address { divisionCode } insurance { status balance } housingFund { balance status } representedEnterprises { uscc name } vehicles { plate } applications { caseNumber state } } }`;
/** The legacy systems behind the dashboard, with the fewest calls one dashboard can cost each. */
const LEGACY = [
  { standIn: 'population-standin', minimum: 1 },
  { standIn: 'medicalInsurance-standin', minimum: 1 },
  { standIn: 'housingFund-standin', minimum: 1 },
  { standIn: 'marketRegulation-standin', minimum: 1 },
  { standIn: 'parking-standin', minimum: 1 },
  { standIn: 'serviceHall-standin', minimum: 1 },
];
/** Calls a stand-in counted: requests, or for the fund's front-end database the statements the adapter ran. */
const callsOf = (stats: { requests: number; statements?: Record<string, number> }) =>
  stats.statements ? Object.values(stats.statements).reduce((a, b) => a + b, 0) : stats.requests;
/** The floor: the population part alone, asked of the population subgraph itself. */
const floorQuery = (id: string) => `{ citizen(id: "${id}") { name gender birthDate address { divisionCode } } }`;

const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-bench-peers-'));
const production = { NODE_ENV: 'production', LOG_LEVEL: 'warn' };
// Rate limits stay on and count every request, but high enough that the bench measures the gateway, not
// the throttle (one citizen asking thousands of times a second would rightly be refused 429 otherwise).
const benchRates = JSON.stringify({ default: { principalRate: { points: 100_000_000, durationSec: 60 }, clientRate: { points: 100_000_000, durationSec: 60 } } });
// So is the parking platform's own limit (200 calls a second per app, answered 429 with Retry-After: 1): a
// city above 200 dashboards a second would otherwise wait out that second on about 1 % of them, and p99 would
// measure the platform's throttle.
const serviceEnv: Record<string, Record<string, string>> = { gateway: { GATEWAY_LIMITS: benchRates }, 'parking-standin': { RATE_LIMIT_PER_SECOND: '0' } };
// BENCH_GATEWAY_NODE_ARGS='--max-old-space-size=200' gives our gateway Node flags (e.g. to tell retained memory from a heap V8 has not collected yet).
if (process.env.BENCH_GATEWAY_NODE_ARGS) serviceEnv.gateway!.CITYGRAPH_NODE_ARGS = process.env.BENCH_GATEWAY_NODE_ARGS;
// BENCH_SUBGRAPH_NODE_ARGS='--max-semi-space-size=8' gives every subgraph Node flags (e.g. to size their heaps).
if (process.env.BENCH_SUBGRAPH_NODE_ARGS) for (const s of SUBGRAPHS) serviceEnv[`subgraph-${s.name}`] = { ...serviceEnv[`subgraph-${s.name}`], CITYGRAPH_NODE_ARGS: process.env.BENCH_SUBGRAPH_NODE_ARGS };
// BENCH_CPU_PROF=gateway,subgraph-population: CPU profiles of those processes (bench/lib/cpu-prof.ts).
for (const [name, env] of Object.entries(cpuProfEnv())) serviceEnv[name] = { ...serviceEnv[name], ...env };
const city = await startCity({ dataDir, env: production, serviceEnv });
const peers: ChildProcess[] = [];

try {
  const keys = ensureDevKeys(dataDir);
  const signPrincipal = await createPrincipalSigner({ privateKeyPem: keys.principalPrivateKeyPem, reuseSeconds: 0 });
  const ids = listCitizenIds(CITIZENS);
  const userTokens = await Promise.all(ids.map((sub) => signDevToken({ secret: keys.jwtSecret, role: 'citizen', sub })));
  // Peers cannot sign the principal; the client hands them the token our gateway would have made.
  const principalTokens = async () =>
    Promise.all(ids.map((sub) => signPrincipal({ sub, role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null })));

  const subgraphUrl = (name: string) => city.services[`subgraph-${name}`]!.url;
  const supergraphFile = join(dataDir, 'supergraph.graphql');
  writeFileSync(
    supergraphFile,
    readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8').replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (_m, name: string) => `@join__graph(name: "${name}", url: "${subgraphUrl(name)}")`),
  );
  const startPeer = (entry: string, env: Record<string, string>) =>
    new Promise<{ url: string; child: ChildProcess }>((resolve, reject) => {
      // Apollo's data collection off in the peers too (see gateway/server.ts): the bench sends no one anything.
      const child = fork(join(PEERS_DIR, entry), [], { cwd: PEERS_DIR, env: { ...process.env, ...production, APOLLO_TELEMETRY_DISABLED: 'true', SUPERGRAPH_FILE: supergraphFile, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      peers.push(child);
      child.once('message', (m: { ready?: string }) => (m.ready ? resolve({ url: m.ready, child }) : reject(new Error(`${entry} did not start`))));
      child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`)));
    });
  // A peer not picked is not started (its CPU would otherwise be idle noise); its row is left out below.
  const unused = { url: '', child: { pid: 0 } as ChildProcess };
  const [apollo, hive, hiveRouter] = await Promise.all([
    picked.includes('apollo') ? startPeer('apollo.mjs', {}) : unused,
    picked.includes('hive') ? startPeer('hive.mjs', {}) : unused,
    picked.includes('hive-router') ? startPeer('hive.mjs', { PLANNER: 'router' }) : unused,
  ]);

  const departments = ['population', 'medicalInsurance', 'housingFund', 'marketRegulation', 'parking', 'services'];
  const behind = [...departments.map((d) => `subgraph-${d}`), ...LEGACY.map((l) => l.standIn)].map((n) => ({ name: n, pid: city.services[n]!.child.pid! }));
  type Load = 'many' | 'one';
  interface Target {
    key: (typeof TARGET_KEYS)[number];
    name: string;
    url: string;
    pid: number;
    /** Headers and body of the i-th request under a load. */
    request(load: Load, i: number): { headers: Record<string, string>; body: string };
    behind: { name: string; pid: number }[];
  }
  let principals = await principalTokens();
  const viaPrincipal = (query: (id: string) => string) => (load: Load, i: number) => {
    const k = load === 'many' ? i % CITIZENS : 0;
    // Subgraphs also require a request id, which our gateway makes and a peer does not. One per citizen,
    // not per request: a request id that differed would keep Hive Gateway from deduplicating (it keys
    // identical subgraph calls by their headers too), and the comparison would flatter us.
    const headers = { 'content-type': 'application/json', [PRINCIPAL_HEADER]: principals[k]!, [REQUEST_ID_HEADER]: `bench-citizen-${k}` };
    return { headers, body: JSON.stringify({ query: query(ids[k]!) }) };
  };
  const allTargets: Target[] = [
    {
      key: 'citygraph',
      name: 'CityGraph gateway (auth, limits, rules, records on)',
      url: city.gatewayUrl,
      pid: city.services.gateway!.child.pid!,
      behind,
      request: (load, i) => {
        const k = load === 'many' ? i % CITIZENS : 0;
        return { headers: { 'content-type': 'application/json', authorization: `Bearer ${userTokens[k]}` }, body: JSON.stringify({ query: dashboard(ids[k]!) }) };
      },
    },
    { key: 'apollo', name: 'bare @apollo/gateway 2.14.4', url: apollo.url, pid: apollo.child.pid!, behind, request: viaPrincipal(dashboard) },
    { key: 'hive', name: 'Hive Gateway 2.15.1', url: hive.url, pid: hive.child.pid!, behind, request: viaPrincipal(dashboard) },
    { key: 'hive-router', name: 'Hive Gateway 2.15.1 + Hive Router runtime', url: hiveRouter.url, pid: hiveRouter.child.pid!, behind, request: viaPrincipal(dashboard) },
    { key: 'floor', name: 'population subgraph alone (floor)', url: subgraphUrl('population'), pid: city.services['subgraph-population']!.child.pid!, behind: behind.filter((b) => b.name.startsWith('population')), request: viaPrincipal(floorQuery) },
  ];
  const targets = allTargets.filter((t) => picked.includes(t.key));

  // Every target must answer the dashboard without errors before anything is measured.
  for (const t of targets) {
    const { headers, body } = t.request('many', 1);
    const res = await fetch(t.url, { method: 'POST', headers, body });
    const json = (await res.json()) as { data?: { citizen?: { name?: string } }; errors?: unknown[] };
    if (!res.ok || json.errors || !json.data?.citizen?.name) throw new Error(`${t.name} did not answer the dashboard: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  }

  // Each run goes on where the target's last one stopped: with more citizens than requests, every request is a citizen not seen yet.
  const served = new Map<string, number>();
  const run = async (t: Target, load: Load, seconds: number) => {
    let i = served.get(`${load}\u0000${t.key}`) ?? 0;
    // Principal tokens live 60 s: fresh ones for every run, so none expires inside a round.
    principals = await principalTokens();
    const pids = [{ name: 'gateway', pid: t.pid }, ...t.behind.filter((b) => b.pid !== t.pid)];
    const before: CpuSample[] = pids.map((p) => cpuSeconds(p.pid));
    const result = await autocannon({
      url: t.url,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [{ method: 'POST', setupRequest: (req: object) => ({ ...req, ...t.request(load, i++) }) }],
      // An answer with GraphQL errors (a department missing from the dashboard) is a failure too, not only a non-2xx.
      verifyBody: (body: string) => !body.includes('"errors"'),
    });
    const after: CpuSample[] = pids.map((p) => cpuSeconds(p.pid));
    served.set(`${load}\u0000${t.key}`, i);
    const n = Math.max(1, result.requests.total);
    const cpuMs = Object.fromEntries(pids.map((p, k) => [p.name, ((after[k]! - before[k]!) * 1000) / n]));
    return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors + result.mismatches, cpuMs };
  };

  // Legacy calls per dashboard, read from the stand-ins' counters, against the minimum: one batch per
  // batch-capable system, one call per distinct person for the one-at-a-time insurance platform.
  const standIn = (name: string) => city.services[name]!.url.replace(/\/$/, '');
  const legacyCalls: string[] = [];
  for (const t of targets.filter((x) => x.key !== 'floor')) {
    await Promise.all(LEGACY.map((l) => fetch(`${standIn(l.standIn)}/__stats/reset`, { method: 'POST' })));
    const probes = 20;
    for (let k = 0; k < probes; k++) {
      const { headers, body } = t.request('many', 100 + k);
      await (await fetch(t.url, { method: 'POST', headers, body })).text();
    }
    const calls = await Promise.all(LEGACY.map(async (l) => callsOf((await (await fetch(`${standIn(l.standIn)}/__stats`)).json()) as { requests: number })));
    const perDashboard = LEGACY.map((l, k) => `${l.standIn.replace('-standin', '')} ${(calls[k]! / probes).toFixed(2)}`).join(', ');
    legacyCalls.push(`- ${t.name}: ${perDashboard} calls per dashboard (minimum ${LEGACY.map((l) => l.minimum).join(' + ')})`);
  }

  const loads = LOADS as Load[];
  type Sample = Awaited<ReturnType<typeof run>>;
  const samples = new Map<string, Sample[]>();
  for (const load of loads) for (const t of targets) await run(t, load, Math.min(3, SECONDS)); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const load of loads) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const key = `${load}\u0000${t.name}`;
        samples.set(key, [...(samples.get(key) ?? []), await run(t, load, SECONDS)]);
      }
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: Record<string, string>[] = [];
  const rpsOf = new Map<string, number>();
  for (const load of loads) {
    for (const t of targets) {
      const s = samples.get(`${load}\u0000${t.name}`)!;
      const rps = median(s.map((x) => x.rps));
      rpsOf.set(`${load}\u0000${t.name}`, rps);
      const cpu = (name: string) => median(s.map((x) => x.cpuMs[name] ?? 0));
      const behindCpu = t.behind.filter((b) => b.pid !== t.pid).reduce((sum, b) => sum + cpu(b.name), 0);
      rows.push({
        load: load === 'many' ? `${CITIZENS} citizens, own credentials` : 'one citizen repeated',
        target: t.name,
        'req/s (median; all rounds)': `${rps.toFixed(0)} (${s.map((x) => x.rps.toFixed(0)).join(', ')})`,
        'p50 / p99 ms': `${median(s.map((x) => x.p50))} / ${median(s.map((x) => x.p99))}`,
        'gateway CPU ms/req': cpu('gateway').toFixed(2),
        'subgraphs + stand-ins CPU ms/req': behindCpu.toFixed(2),
        failed: String(s.reduce((a, x) => a + x.failed, 0)),
      });
    }
  }
  const ours = allTargets[0]!;
  const peerTargets = targets.filter((t) => t.key !== 'citygraph' && t.key !== 'floor');
  const measuredOurs = targets.includes(ours);
  const ratios = measuredOurs
    ? loads.flatMap((load) =>
        peerTargets.map((t) => `- ${load === 'many' ? 'many citizens' : 'one citizen'}: CityGraph / ${t.name} = ${(rpsOf.get(`${load}\u0000${ours.name}`)! / rpsOf.get(`${load}\u0000${t.name}`)!).toFixed(2)}×`),
      )
    : [];
  // Where the CPU of one dashboard goes, process by process, behind each gateway (many citizens): the same
  // subgraphs and stand-ins can cost differently behind different gateways (more calls, costlier calls,
  // or fewer requests a second to spread each process's wake-ups over).
  const perProcess = (t: Target) => {
    const many = samples.get(`many\u0000${t.name}`) ?? [];
    return ['gateway', ...t.behind.map((b) => b.name)].map((name) => `${name} ${median(many.map((x) => x.cpuMs[name] ?? 0)).toFixed(2)}`).join(', ');
  };
  const breakdown = [
    ...(measuredOurs && loads.includes('many') ? [`- CPU ms per dashboard behind CityGraph's gateway, by process (many citizens): ${perProcess(ours)}`] : []),
    ...(loads.includes('many') ? peerTargets.map((t) => `- CPU ms per dashboard behind ${t.name}, by process (many citizens): ${perProcess(t)}`) : []),
  ];
  const rss = [
    ['citygraph', `CityGraph ${peakRssMiB(ours.pid)} MiB`],
    ['apollo', `bare @apollo/gateway ${peakRssMiB(apollo.child.pid!)} MiB`],
    ['hive', `Hive Gateway ${peakRssMiB(hive.child.pid!)} MiB`],
    ['hive-router', `Hive + Router runtime ${peakRssMiB(hiveRouter.child.pid!)} MiB`],
  ].filter(([key]) => picked.includes(key!));
  const memory = rss.length ? [`- gateway peak RSS: ${rss.map(([, text]) => text).join(', ')}`] : [];
  // The subgraphs serve every target, so their peak is the whole run's.
  memory.push(`- subgraphs' peak RSS over the whole run: ${behind.filter((b) => b.name.startsWith('subgraph-')).map((b) => `${b.name.slice('subgraph-'.length)} ${peakRssMiB(b.pid)}`).join(', ')} MiB`);
  // Memory over a long run: resident memory of our gateway every 10 s under the many-citizen load, and
  // the slope of a least-squares line through the second half (flat means the caches stopped growing).
  const soak: string[] = [];
  if (SOAK_SECONDS > 0 && measuredOurs) {
    const samples: { t: number; mib: number }[] = [];
    const t0 = performance.now();
    const sampler = setInterval(() => samples.push({ t: (performance.now() - t0) / 1000, mib: rssMiB(ours.pid) }), 10_000);
    samples.push({ t: 0, mib: rssMiB(ours.pid) });
    const result = await run(ours, 'many', SOAK_SECONDS);
    clearInterval(sampler);
    samples.push({ t: (performance.now() - t0) / 1000, mib: rssMiB(ours.pid) });
    const half = samples.filter((x) => x.t >= SOAK_SECONDS / 2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const mt = mean(half.map((x) => x.t));
    const mm = mean(half.map((x) => x.mib));
    const slope = half.reduce((a, x) => a + (x.t - mt) * (x.mib - mm), 0) / Math.max(1e-9, half.reduce((a, x) => a + (x.t - mt) ** 2, 0));
    soak.push(
      `- memory over ${SOAK_SECONDS} s of the many-citizen load (${result.rps.toFixed(0)} req/s, ${result.failed} failed): gateway RSS every 10 s ${samples.map((x) => x.mib.toFixed(0)).join(', ')} MiB; ` +
        `peak ${peakRssMiB(ours.pid)} MiB; second half's slope ${(slope * 60).toFixed(1)} MiB a minute`,
    );
  }
  // Measured with the city idle: what one exchange between processes costs on this machine today.
  const floor = `- ${describeFloor(await tcpRoundTrip())}; a dashboard makes 12 such exchanges (client and gateway, gateway and six subgraphs, five subgraphs and their stand-ins: the housing fund's tables are read in process)`;
  console.table(rows);
  console.log([...ratios, ...breakdown, ...memory, ...soak, floor, ...legacyCalls].join('\n'));

  const header = ['load', 'target', 'req/s (median; all rounds)', 'p50 / p99 ms', 'gateway CPU ms/req', 'subgraphs + stand-ins CPU ms/req', 'failed'];
  const table = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${header.map((h) => r[h]).join(' | ')} |`)].join('\n');
  const date = new Date().toISOString().slice(0, 10);
  const section = [
    '## Side by side with other Node gateways',
    '',
    `Produced by \`BENCH_SECONDS=${SECONDS} BENCH_ROUNDS=${ROUNDS} BENCH_CONNECTIONS=${CONNECTIONS} npm run -s bench:peers\` on ${date}: ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, every process and autocannon sharing them; ` +
      `NODE_ENV=production; stand-ins at zero latency; ${CONNECTIONS} connections; a ${Math.min(3, SECONDS)}-s warm-up per target and load, then ${ROUNDS} rounds of ${SECONDS} s alternating between targets (the order reversed every other round).`,
    'The query is the dashboard of one citizen across the six departments that answer for a citizen today (registry, insurance, housing fund, enterprise registry, parking, service hall); peers get the principal token our gateway would sign (they cannot sign one), so they do no authentication at all.',
    '',
    table,
    '',
    ...ratios,
    ...breakdown,
    ...memory,
    ...soak,
    floor,
    '',
    'Legacy calls per dashboard request (stand-ins\' counters over 20 requests for different citizens):',
    '',
    ...legacyCalls,
    '',
  ].join('\n');
  // Only a run of every target under both loads, 200 citizens, replaces the published comparison.
  if (ALL_TARGETS && loads.length === 2 && CITIZENS === 200) {
    const file = join(ROOT, 'docs/BENCHMARKS.md');
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nFigures produced by the bench scripts on this project\'s machine; each section names its command.\n\n';
    const marker = /## Side by side with other Node gateways\n[\s\S]*?(?=\n## |$)/;
    writeFileSync(file, marker.test(existing) ? existing.replace(marker, section.trimEnd() + '\n') : `${existing.trimEnd()}\n\n${section}`);
    console.log(`\nWrote docs/BENCHMARKS.md.`);
  } else {
    console.log(`\nBENCH_TARGETS=${picked.join(',')} BENCH_LOADS=${loads.join(',')} BENCH_CITIZENS=${CITIZENS}: docs/BENCHMARKS.md left as it is.`);
  }
} finally {
  for (const p of peers) p.kill('SIGTERM');
  await city.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
