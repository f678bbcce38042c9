/**
 * `npm start`: brings up the stand-in legacy systems, every subgraph and the gateway on 127.0.0.1,
 * prints where to query and how to get a token, and stops every process on Ctrl-C.
 * `npm start -- --instances N`: N gateways on consecutive ports from PORT and N instances of every
 * subgraph, on the PostgreSQL store of DATABASE_URL and the Redis of REDIS_URL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { useCompileCache } from './lib/processes.ts';

// The launcher's own modules from V8's code cache, the one its processes use (processes.ts, which needs
// only Node's built-ins): type-stripping and compiling them each time put 0.14 s before the first process starts.
useCompileCache();
const [{ z }, { port, readConfig }, { startCity }] = await Promise.all([import('zod'), import('../core/config.ts'), import('./lib/city.ts')]);

const DEMO_ID = '210102198503152318';
const config = readConfig(
  z.object({
    PORT: port(4000),
    CITYGRAPH_DATA_DIR: z.string().default('.data'),
    LOG_LEVEL: z.string().default('warn'),
  }),
);

// The console is built by `npm ci`; a checkout that skipped it builds it here, once.
if (!existsSync(fileURLToPath(new URL('../web/dist/index.html', import.meta.url)))) {
  process.stdout.write('Building the console (web/dist)…\n');
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('build-web.ts', import.meta.url))], { stdio: 'inherit' });
  if (built.status !== 0) process.stderr.write('The console did not build: /console/ will answer 503 (npm run -s build:web says why).\n');
}

let city: Awaited<ReturnType<typeof startCity>>;
try {
  const { values } = parseArgs({ options: { instances: { type: 'string', default: '1' } }, strict: true });
  const instances = Number(values.instances);
  if (!/^\d+$/.test(values.instances) || instances < 1 || instances > 16) throw new Error(`--instances takes a whole number from 1 to 16, not ${JSON.stringify(values.instances)}.`);
  if (instances > 1 && !process.env.REDIS_URL) process.stderr.write('warning: REDIS_URL is not set, so each gateway keeps its own rate limits (they hold per gateway, not across them).\n');
  city = await startCity({ dataDir: config.CITYGRAPH_DATA_DIR, gatewayPort: config.PORT, env: { LOG_LEVEL: config.LOG_LEVEL }, echo: true, instances,
    // N times the processes start at once: give them longer, unless CITYGRAPH_READY_TIMEOUT_MS says otherwise.
    ...(instances > 1 && !process.env.CITYGRAPH_READY_TIMEOUT_MS ? { readyTimeoutMs: 60_000 * instances } : {}),
  });
} catch (e) {
  process.stderr.write(`CityGraph could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

const lines = [
  '',
  'CityGraph is running.',
  '',
  ...Object.values(city.services).map((s) => `  ${s.name.padEnd(28)} ${s.url}`),
  '',
  city.gatewayUrls.length > 1 ? `GraphQL endpoints (${city.gatewayUrls.length} gateways): ${city.gatewayUrls.join(' ')}` : `GraphQL endpoint: ${city.gatewayUrl}`,
  `Console (auditors, citizens; development sign-in): ${city.gatewayUrl}console/`,
  `GraphiQL (development only): ${city.gatewayUrl}graphiql`,
  '',
  'Get a development token for the demo citizen:',
  `  TOKEN=$(npm run -s token -- --role citizen --sub ${DEMO_ID})`,
  '',
  'Then ask for the citizen\'s records from two departments in one query:',
  `  curl -s ${city.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
  `    -d '{"query":"{ citizen(id: \\"${DEMO_ID}\\") { name gender birthDate address { divisionCode } insurance { status balance } } }"}'`,
  '',
  'Car parks around 太原街 in 和平区, nearest first, with free spaces (public, no token):',
  `  curl -s ${city.gatewayUrl} -H 'content-type: application/json' \\`,
  `    -d '{"query":"{ parkingLots(near: { lat: 41.7966, lng: 123.4000 }, radiusMeters: 800, first: 3) { edges { node { name distanceMeters freeSpaces } } } }"}'`,
  '',
  'Or the dashboard over four departments (registry, insurance, housing fund, enterprises):',
  `  curl -s ${city.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
  `    -d '{"query":"{ citizen(id: \\"${DEMO_ID}\\") { name insurance { status balance } housingFund { balance status } representedEnterprises { uscc name status } } }"}'`,
  '',
  'And see who else read them (each read by staff, apps or integrators is recorded):',
  `  curl -s ${city.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
  `    -d '{"query":"{ citizen(id: \\"${DEMO_ID}\\") { dataAccesses { totalCount edges { node { time department reader { role client } fields purpose } } } } }"}'`,
  '',
  'Government services (一网通办): cases, working-day deadlines and the newborn bundle are walked through',
  "in README.md, section 'Government services (一网通办)'; CITYGRAPH_CLOCK=2026-10-09T09:00:00+08:00 moves the clock.",
  '',
  'Supervision alarms (监察告警): a month of the service hall played against this city, then the alarms an auditor sees',
  `  npm run -s scenario${city.gatewayUrl === 'http://127.0.0.1:4000/' ? '' : ` -- --url ${city.gatewayUrl}`}    (README.md, section 'Alarms')`,
  '',
  'The demo citizen\'s city code (一码通城), made as the app makes it and verified offline as a gate does:',
  `  CODE=$(npm run -s citycode -- show --sub ${DEMO_ID}) && npm run -s citycode -- verify "$CODE"`,
  '',
  'Press Ctrl-C to stop every process.',
  '',
];
process.stdout.write(lines.join('\n'));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping CityGraph…\n');
  await city.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
