/**
 * `npm run -s bench:startup`: how long `npm start` takes to answer its first query, measured as a person
 * sees it: from the command to the first 200 answer of `{ __typename }` and to "CityGraph is running."
 * (every process ready), with and without an existing data folder, and the CPU every process of the
 * city had used by then (from /proc). Prints figures; asserts nothing.
 *
 *   BENCH_RUNS=3 npm run -s bench:startup
 *   BENCH_COMPARE=/path/to/other/checkout npm run -s bench:startup    # alternating rounds, this checkout and that one
 *
 * Each run starts `npm start` in its own session (setsid), polls the gateway every 50 ms, reads the CPU
 * of every process of that session, then stops the city with SIGINT, as Ctrl-C would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PORT = Number(process.env.BENCH_PORT ?? 4950);
/** Give up on one start after this long, ms. */
const GIVE_UP_MS = Number(process.env.BENCH_GIVE_UP_MS ?? 120_000);
const HERE = fileURLToPath(new URL('..', import.meta.url));
const CHECKOUTS = [HERE, ...(process.env.BENCH_COMPARE ? [process.env.BENCH_COMPARE] : [])];
// Linux reports CPU in clock ticks; USER_HZ is 100 on every Linux this project runs on.
const TICK_MS = 10;

/** One measured start. */
interface Run {
  checkout: string;
  data: 'existing' | 'fresh';
  firstAnswerS: number;
  /** Seconds until `npm start` said every process was ready ("CityGraph is running."). */
  allReadyS: number;
  /** CPU seconds of the whole session (npm, the launcher, every service, and what they ran and waited for). */
  cpuS: number;
  /** CPU seconds by process, e.g. `subgraphs/population/main.ts`. */
  byProcess: Record<string, number>;
  load: number;
}

/** CPU of every live process whose session is `sid`; a process's children already reaped count in its own figure. */
function sessionCpu(sid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    let cmd: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[3]) !== sid) continue; // field 6: session
    const ms = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS; // utime stime cutime cstime
    const args = cmd.split('\0').filter(Boolean);
    const script = args.find((a) => /\.(ts|mjs|js)$/.test(a) && !a.endsWith('/npm-cli.js'));
    // A bundle is named after its entry: node_modules/.cache/citygraph-bundle/<build>/gateway/main.mjs → gateway/main (bundle).
    const bundled = script?.match(/citygraph-bundle\/[^/]+\/(.+)\.mjs$/);
    let name = bundled ? `${bundled[1]} (bundle)` : script ? relative(HERE, script).replace(/^(\.\.\/)+.*?\/(?=(gateway|subgraphs|adapters|scripts)\/)/, '') : args.slice(0, 2).join(' ');
    if (/npm(-cli\.js)?$/.test(args[1] ?? '') || args[0]?.endsWith('npm')) name = 'npm';
    out[name] = (out[name] ?? 0) + ms / 1000;
  }
  return out;
}

/** Starts `npm start` in `checkout`, returns when the gateway first answers 200 (or throws). */
async function once(checkout: string, dataDir: string): Promise<Omit<Run, 'checkout' | 'data'>> {
  let allReadyS = NaN;
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: checkout,
    detached: true, // its own session and process group, so that the whole city can be stopped and measured
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(PORT), CITYGRAPH_DATA_DIR: dataDir },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    if (Number.isNaN(allReadyS) && output.includes('CityGraph is running.')) allReadyS = (performance.now() - t0) / 1000;
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`npm start exited before answering:\n${output.slice(-2000)}`);
      if (performance.now() - t0 > GIVE_UP_MS) throw new Error(`no answer after ${GIVE_UP_MS} ms:\n${output.slice(-2000)}`);
      const ok = await fetch(`http://127.0.0.1:${PORT}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': '1' },
        body: '{"query":"{ __typename }"}',
      }).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const firstAnswerS = (performance.now() - t0) / 1000;
    // Then until every process is ready; the CPU figure is taken there too, the whole start's.
    while (Number.isNaN(allReadyS)) {
      if (exited) throw new Error(`npm start exited before every process was ready:\n${output.slice(-2000)}`);
      if (performance.now() - t0 > GIVE_UP_MS) throw new Error(`not every process ready after ${GIVE_UP_MS} ms:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const whole = sessionCpu(child.pid!);
    return { firstAnswerS, allReadyS, cpuS: Object.values(whole).reduce((a, b) => a + b, 0), byProcess: whole, load };
  } finally {
    await stopGroup(child);
  }
}

/** SIGINT to the whole process group (Ctrl-C), SIGKILL after 15 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGINT');
  const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(kill);
  // The services stop after npm: wait until none of the session is left, so the next run starts on a quiet machine.
  for (let i = 0; i < 150 && Object.keys(sessionCpu(child.pid!)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const scratch = mkdtempSync(join(tmpdir(), 'citygraph-bench-startup-'));
const runs: Run[] = [];
try {
  // An existing data folder per checkout, made by one start first (keys, seeded stand-in databases, supervision store).
  const existing = new Map(CHECKOUTS.map((c, i) => [c, join(scratch, `existing-${i}`)]));
  for (const c of CHECKOUTS) await once(c, existing.get(c)!);
  let fresh = 0;
  for (let r = 0; r < RUNS; r++) {
    // Alternating order (A B, B A, …) so that neither checkout always runs on the warmer machine.
    const order = r % 2 ? [...CHECKOUTS].reverse() : CHECKOUTS;
    for (const checkout of order) {
      for (const data of ['existing', 'fresh'] as const) {
        const dir = data === 'existing' ? existing.get(checkout)! : join(scratch, `fresh-${fresh++}`);
        const run = { checkout, data, ...(await once(checkout, dir)) };
        runs.push(run);
        console.log(`${relative(process.cwd(), checkout) || '.'} ${data.padEnd(8)} first answer ${run.firstAnswerS.toFixed(2)} s, all ready ${run.allReadyS.toFixed(2)} s, CPU ${run.cpuS.toFixed(2)} s (load ${run.load.toFixed(1)})`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\nMedians of ${RUNS} runs; ${(await import('node:os')).cpus().length} cores; node ${process.version}.`);
for (const checkout of CHECKOUTS) {
  const mine = runs.filter((r) => r.checkout === checkout);
  console.log(`\n${checkout}`);
  for (const data of ['existing', 'fresh'] as const) {
    const of = mine.filter((r) => r.data === data);
    console.log(`  ${data.padEnd(8)} data folder: first answer ${median(of.map((r) => r.firstAnswerS)).toFixed(2)} s (${of.map((r) => r.firstAnswerS.toFixed(2)).join(', ')}), all ready ${median(of.map((r) => r.allReadyS)).toFixed(2)} s, CPU ${median(of.map((r) => r.cpuS)).toFixed(2)} s`);
  }
  const names = [...new Set(mine.flatMap((r) => Object.keys(r.byProcess)))];
  const cpu = names.map((n) => [n, median(mine.map((r) => r.byProcess[n] ?? 0))] as const).sort((a, b) => b[1] - a[1]);
  console.log('  CPU by process until every process was ready, s (median over all runs):');
  for (const [n, s] of cpu) console.log(`    ${s.toFixed(2).padStart(6)}  ${n}`);
}
