/**
 * Brings up the whole city: the stand-in legacy systems, every subgraph and the gateway, each a real
 * process on its own port, wired by URLs. `npm start`, whole-system tests and benchmarks share it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDevKeys } from '../../core/dev-keys.ts';
import { currentBundles } from './bundle.ts';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from './node-flags.ts';
import { launch, type Service } from './processes.ts';
import { SUBGRAPHS } from './subgraphs.ts';

/** Options of a city. */
export interface CityOptions {
  /** Data folder (keys, API keys, supervision store). Required. */
  dataDir: string;
  /** Gateway port (the next gateways take the ports after it); 0 for ephemeral. Default 0. */
  gatewayPort?: number;
  /** Use the default fixed ports for subgraphs and stand-ins (4001…, 4101…) instead of ephemeral ones. Default false. */
  fixedPorts?: boolean;
  /** Extra environment for every process (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Extra environment by service name, e.g. `{ 'subgraph-population': { POPULATION_TIMEOUT_MS: '300' } }`. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Echo every process's output. Default false. */
  echo?: boolean;
  /**
   * Gateways, and instances of each subgraph (`npm start -- --instances N`). Above 1 every process shares
   * the PostgreSQL store of DATABASE_URL (required) and the Redis of REDIS_URL. Default 1.
   */
  instances?: number;
  /** Start only these subgraphs (and the stand-ins they call); default all. Whole-system tests keep lean with it. */
  subgraphs?: readonly string[];
  /** How long each process may take to announce itself, ms. Default 30000 (the launcher's). */
  readyTimeoutMs?: number;
  /** false runs every process from its sources, not from bundles (scripts/lib/bundle.ts); so does CITYGRAPH_BUNDLES=0. Default true. */
  bundles?: boolean;
}

/** A running city. */
export interface City {
  /** The first gateway. */
  gatewayUrl: string;
  /** Every gateway, first one first. */
  gatewayUrls: string[];
  /** By name: `gateway`, `gateway-2`…, `subgraph-population`, `subgraph-population-2`…, `population-standin`…. */
  services: Record<string, Service>;
  /** Stops every process, gateways first. */
  stop(): Promise<void>;
  /** Kills a service with SIGKILL (a crash, no clean-up) and starts it again on the same port. */
  crashAndRestart(name: string): Promise<Service>;
  /** The environment a service was started with (on top of this process's), e.g. to start a second gateway like the first. */
  envOf(name: string): Record<string, string>;
}

/** One subgraph process: its entry, its environment given the stand-ins' URLs, the stand-ins it needs. */
interface SubgraphSpec {
  entry: string;
  standIns: StandInName[];
  env: (standIn: (n: StandInName) => string, fundDatabase: string) => Record<string, string>;
}
type StandInName = 'populationStandIn' | 'medicalInsuranceStandIn' | 'housingFundStandIn' | 'marketRegulationStandIn' | 'parkingStandIn' | 'serviceHallStandIn' | 'licenceLibraryStandIn';

const SPECS: Record<SubgraphName, SubgraphSpec> = {
  population: { entry: 'subgraphs/population/main.ts', standIns: ['populationStandIn'], env: (u) => ({ POPULATION_LEGACY_URL: u('populationStandIn') }) },
  medicalInsurance: { entry: 'subgraphs/medicalInsurance/main.ts', standIns: ['medicalInsuranceStandIn'], env: (u) => ({ MEDICAL_INSURANCE_LEGACY_URL: u('medicalInsuranceStandIn') }) },
  // The alarm engine runs in the supervision subgraph: it reads cases from the hall and households from the registry.
  supervision: {
    entry: 'subgraphs/supervision/main.ts',
    standIns: ['serviceHallStandIn', 'populationStandIn'],
    env: (u) => ({ SERVICE_HALL_URL: u('serviceHallStandIn'), POPULATION_LEGACY_URL: u('populationStandIn') }),
  },
  parking: { entry: 'subgraphs/parking/main.ts', standIns: ['parkingStandIn'], env: (u) => ({ PARKING_LEGACY_URL: u('parkingStandIn') }) },
  // These two open the fund's database file, which its stand-in creates: they start once it is there.
  housingFund: { entry: 'subgraphs/housingFund/main.ts', standIns: ['housingFundStandIn'], env: (_u, db) => ({ HOUSING_FUND_DATABASE: db }) },
  marketRegulation: { entry: 'subgraphs/marketRegulation/main.ts', standIns: ['marketRegulationStandIn'], env: (u) => ({ MARKET_REGULATION_LEGACY_URL: u('marketRegulationStandIn') }) },
  services: {
    entry: 'subgraphs/services/main.ts',
    standIns: ['serviceHallStandIn', 'populationStandIn', 'medicalInsuranceStandIn', 'housingFundStandIn', 'licenceLibraryStandIn', 'marketRegulationStandIn'],
    env: (u, db) => ({
      SERVICE_HALL_URL: u('serviceHallStandIn'), POPULATION_LEGACY_URL: u('populationStandIn'), MEDICAL_INSURANCE_LEGACY_URL: u('medicalInsuranceStandIn'),
      HOUSING_FUND_DATABASE: db, LICENCE_LIBRARY_URL: u('licenceLibraryStandIn'), MARKET_REGULATION_LEGACY_URL: u('marketRegulationStandIn'),
    }),
  },
  documents: {
    entry: 'subgraphs/documents/main.ts',
    standIns: ['licenceLibraryStandIn', 'serviceHallStandIn'],
    env: (u) => ({ LICENCE_LIBRARY_URL: u('licenceLibraryStandIn'), SERVICE_HALL_URL: u('serviceHallStandIn') }),
  },
  citycode: {
    entry: 'subgraphs/citycode/main.ts',
    standIns: ['populationStandIn', 'medicalInsuranceStandIn', 'parkingStandIn'],
    env: (u) => ({ POPULATION_LEGACY_URL: u('populationStandIn'), MEDICAL_INSURANCE_LEGACY_URL: u('medicalInsuranceStandIn'), PARKING_LEGACY_URL: u('parkingStandIn') }),
  },
};

const STAND_IN_ENTRIES: Record<StandInName, [string, string]> = {
  populationStandIn: ['population-standin', 'adapters/population/standin/main.ts'],
  medicalInsuranceStandIn: ['medicalInsurance-standin', 'adapters/medicalInsurance/standin/main.ts'],
  parkingStandIn: ['parking-standin', 'adapters/parking/standin/main.ts'],
  housingFundStandIn: ['housingFund-standin', 'adapters/housingFund/standin/main.ts'],
  marketRegulationStandIn: ['marketRegulation-standin', 'adapters/marketRegulation/standin/main.ts'],
  serviceHallStandIn: ['serviceHall-standin', 'adapters/serviceHall/standin/main.ts'],
  licenceLibraryStandIn: ['licenceLibrary-standin', 'adapters/licenceLibrary/standin/main.ts'],
};

/** Every process entry of a city, relative to the repository root: what `currentBundles` bundles. */
export const CITY_ENTRIES: readonly string[] = ['gateway/main.ts', ...Object.values(SPECS).map((s) => s.entry), ...Object.values(STAND_IN_ENTRIES).map(([, e]) => e)];

/** The service name of instance `k` (1-based) of `base`: the first keeps the plain name. */
const instanceName = (base: string, k: number) => (k === 1 ? base : `${base}-${k}`);

/** The development clock file of a city's data folder (see core/clock.ts `withClockFile`). */
export function clockFileOf(dataDir: string): string {
  return resolve(dataDir, 'clock.json');
}

/** Starts every process of the city and resolves when the gateways are ready. */
export async function startCity(options: CityOptions): Promise<City> {
  const n = options.instances ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`instances must be a whole number from 1 to 16, not ${String(options.instances)}.`);
  const databaseUrl = options.env?.DATABASE_URL ?? process.env.DATABASE_URL;
  if (n > 1 && !databaseUrl?.startsWith('postgres')) {
    throw new Error(`${n} instances need DATABASE_URL=postgres://… : every instance writes to one PostgreSQL supervision store (the embedded SQLite store belongs to one process).`);
  }
  const wanted = (options.subgraphs ?? SUBGRAPHS.map((s) => s.name)) as SubgraphName[];
  for (const w of wanted) if (!SPECS[w]) throw new Error(`No subgraph named ${w}; there are ${Object.keys(SPECS).join(', ')}.`);
  const keys = ensureDevKeys(options.dataDir);
  // The development clock file: absent until a scenario writes it, then "now" for the hall, the cases and the alarms.
  // A production city gets no clock file: production refuses a movable clock (core/clock.ts).
  const production = (options.env?.NODE_ENV ?? process.env.NODE_ENV) === 'production';
  const common = { CITYGRAPH_DATA_DIR: options.dataDir, ...(production ? {} : { CITYGRAPH_CLOCK_FILE: clockFileOf(options.dataDir) }), ...options.env };
  // Each process loads its bundle, rebuilt first if a source changed; without rolldown the sources run.
  const bundles = options.bundles === false || process.env.CITYGRAPH_BUNDLES === '0' ? null : await currentBundles(CITY_ENTRIES, { log: options.echo ? (l) => process.stdout.write(`${l}\n`) : undefined });
  const services: Record<string, Service> = {};
  // A process that fails to start fails the city: the others, ready or still starting, are stopped.
  const failed = new AbortController();
  const launched = new Map<string, { entry: string; env: Record<string, string> }>();
  // Ports chosen for the services stay bound here until each service is about to bind its own: a port
  // released early can be chosen by another city starting beside this one (test files run side by side).
  let held: HeldPorts | null = null;
  const start = async (name: string, entry: string, env: Record<string, string>) => {
    // The gateway's heap flags and malloc setting (node-flags.ts); the service's own environment may override the setting.
    const gateway = entry === 'gateway/main.ts';
    const full = { ...common, ...(gateway ? GATEWAY_ENV : {}), ...env, ...options.serviceEnv?.[name] };
    await held?.release(Number(env.PORT));
    launched.set(name, { entry, env: full });
    const nodeArgs = gateway ? GATEWAY_NODE_FLAGS : undefined;
    services[name] = await launch({ name, entry, bundle: bundles?.[entry], echo: options.echo, env: full, nodeArgs, readyTimeoutMs: options.readyTimeoutMs, signal: failed.signal });
    return services[name];
  };
  try {
    // The fund's front-end database is a file the stand-in creates and seeds; the subgraph opens it itself.
    const fundDatabase = resolve(options.dataDir, 'housing-fund-frontdb.sqlite');
    const standIns = [...new Set(wanted.flatMap((w) => SPECS[w].standIns))];
    // Every port is chosen before anything starts, so that every process can start at once: a process
    // learns the others' URLs from its environment, not by waiting for them to announce themselves.
    const extra = wanted.flatMap((w) => Array.from({ length: n - 1 }, (_, k) => `${w}#${k + 2}`));
    const p: Record<string, number> = options.fixedPorts
      ? { ...FIXED_PORTS, ...Object.fromEntries(extra.map((e, i) => [e, 4201 + i])) }
      : (held = await holdFreePorts([...wanted, ...standIns, ...extra])).ports;
    const portOf = (w: SubgraphName, k: number) => (k === 1 ? p[w]! : p[`${w}#${k}`]!);
    const standIn = (name: StandInName) => `http://127.0.0.1:${p[name]}`;
    const subgraphEnv: Record<string, string> = { CITYGRAPH_PRINCIPAL_PUBLIC_KEY: keys.principalPublicKeyPem };
    // Several instances: each names its intents, and drains while the gateways' probes (every second) take it out of rotation.
    const instanceEnv = (w: string, k: number): Record<string, string> => (n > 1 ? { CITYGRAPH_INSTANCE_ID: `${w}-${k}`, SHUTDOWN_DELAY_MS: '1500' } : {});
    const urls = Object.fromEntries(wanted.map((w) => [w, Array.from({ length: n }, (_, i) => `http://127.0.0.1:${portOf(w, i + 1)}/`)]));
    const gateways = Array.from({ length: n }, (_, i) =>
      start(instanceName('gateway', i + 1), 'gateway/main.ts', {
        PORT: String(options.gatewayPort ? options.gatewayPort + i : 0),
        SUBGRAPH_URLS: JSON.stringify(Object.fromEntries(Object.entries(urls).map(([w, u]) => [w, n === 1 ? u[0] : u]))),
      }),
    );
    // Every other process starts once the gateways are ready: a gateway needs no subgraph or stand-in to
    // start (it plans from the supergraph file), so on a machine of few cores it has them to itself and
    // answers sooner. Started beside it, the seven stand-ins put the first answer off by 1.7 s (3.7 → 2.0 s
    // on 2 cores, `npm run -s bench:startup`), and the whole city was no sooner ready.
    const gatewaysReady = Promise.all(gateways);
    const started = new Map(
      standIns.map((s) => [s, gatewaysReady.then(() => start(STAND_IN_ENTRIES[s][0], STAND_IN_ENTRIES[s][1], { PORT: String(p[s]), ...(s === 'housingFundStandIn' ? { DATABASE_FILE: fundDatabase } : {}) }))]),
    );
    const subgraphStarts = wanted.flatMap((w) =>
      Array.from({ length: n }, async (_, i) => {
        const spec = SPECS[w];
        await gatewaysReady;
        if (spec.env(standIn, fundDatabase).HOUSING_FUND_DATABASE) await started.get('housingFundStandIn');
        return start(instanceName(`subgraph-${w}`, i + 1), spec.entry, { ...subgraphEnv, PORT: String(portOf(w, i + 1)), ...spec.env(standIn, fundDatabase), ...instanceEnv(w, i + 1) });
      }),
    );
    // Awaited together, so whichever fails first is the error (none is left unhandled).
    const [all, gatewayServices] = await Promise.all([Promise.all([...started.values(), ...subgraphStarts]), gatewaysReady]);
    await held?.releaseAll();
    // A port taken between choosing and binding would show here, rather than as a city talking to a stranger.
    for (const s of all) {
      if (new URL(s.url).port !== String(portOfService(s.name, p))) throw new Error(`${s.name} announced ${s.url}, not the port chosen for it; start again.`);
    }
    const stop = async () => {
      await Promise.all(gatewayServices.map((g) => g.stop()));
      await Promise.all(Object.values(services).map((s) => s.stop()));
      held?.unreserve();
    };
    const crashAndRestart = async (name: string) => {
      const old = services[name];
      const how = launched.get(name);
      if (!old || !how) throw new Error(`No service named ${name}.`);
      if (old.child.exitCode === null && old.child.signalCode === null) {
        const exited = new Promise((r) => old.child.once('exit', r));
        old.child.kill('SIGKILL');
        await exited;
      }
      return start(name, how.entry, { ...how.env, PORT: new URL(old.url).port });
    };
    const envOf = (name: string) => ({ ...launched.get(name)?.env });
    return { gatewayUrl: gatewayServices[0]!.url, gatewayUrls: gatewayServices.map((g) => g.url), services, stop, crashAndRestart, envOf };
  } catch (e) {
    await held?.releaseAll();
    failed.abort();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    held?.unreserve();
    throw e;
  }
}

/** The default ports (`fixedPorts`): each subgraph's from scripts/lib/subgraphs.ts, stand-ins 4101…. */
const FIXED_PORTS = {
  ...(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, s.defaultPort])) as Record<SubgraphName, number>),
  populationStandIn: 4101, medicalInsuranceStandIn: 4102, housingFundStandIn: 4103, marketRegulationStandIn: 4104, parkingStandIn: 4105, serviceHallStandIn: 4106, licenceLibraryStandIn: 4107,
};
type SubgraphName = 'population' | 'medicalInsurance' | 'supervision' | 'housingFund' | 'marketRegulation' | 'parking' | 'services' | 'citycode' | 'documents';

/** The port chosen for a service name: `subgraph-parking` → `parking`, `subgraph-parking-2` → `parking#2`, `parking-standin` → `parkingStandIn`. */
function portOfService(name: string, p: Record<string, number>): number | undefined {
  if (!name.startsWith('subgraph-')) return p[name.replace(/-standin$/, 'StandIn')];
  const m = /^subgraph-(.+?)(?:-(\d+))?$/.exec(name)!;
  return p[m[2] ? `${m[1]}#${m[2]}` : m[1]!];
}

/**
 * Ports are chosen below Linux's ephemeral range (32768–60999): a port the kernel hands out for `listen(0)`
 * can be taken by one of the city's own outgoing connections before the service binds it (seen as
 * EADDRINUSE when two test cities start side by side), while a port below that range never is.
 */
const PORT_RANGE = { low: 20_000, high: 32_000 } as const;

/** Loopback ports chosen for a city's services, still bound by the launcher until each is released. */
export interface HeldPorts {
  /** Port by key. */
  ports: Record<string, number>;
  /** Unbinds `port` (a service is about to bind it); nothing when it is not held. */
  release(port: number): Promise<void>;
  /** Unbinds every port still held. */
  releaseAll(): Promise<void>;
  /** Ends the ports' reservations (the city stopped): other cities may choose them again. */
  unreserve(): void;
}

/**
 * Ports reserved by the cities started on this machine, a file per port holding the process's pid. A port
 * is free between the launcher's unbinding it and its service's binding it (a process start, seconds on a
 * loaded machine); another city choosing ports at that moment took it, and the service failed with
 * EADDRINUSE (seen in full test runs, test files starting cities side by side). A city now passes over
 * ports another live process reserved, and reservations last until its city stops (or its process ends).
 */
export const RESERVATIONS = join(tmpdir(), 'citygraph-ports');
/** This process's reservation files, removed when it exits if its cities did not. */
const reservedHere = new Set<string>();
let cleanUpOnExit = false;

/** Reserves `port` for this process; false when a live process holds it. Without a usable folder, only the bind decides. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(RESERVATIONS, { recursive: true });
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      reservedHere.add(file);
      if (!cleanUpOnExit) {
        cleanUpOnExit = true;
        process.once('exit', () => reservedHere.forEach((f) => rmSync(f, { force: true })));
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return true;
      if (processAlive(Number(readText(file)))) return false;
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  return false;
}

function unreservePort(port: number): void {
  const file = join(RESERVATIONS, String(port));
  if (reservedHere.delete(file)) rmSync(file, { force: true });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Free loopback ports, one per key: each reserved against other cities, bound to prove it free, and held until released. Exported for tests (`range`: a few ports). */
export async function holdFreePorts(keys: readonly string[], range: { low: number; high: number } = PORT_RANGE): Promise<HeldPorts> {
  const span = range.high - range.low;
  const held = new Map<number, Server>();
  const chosen: number[] = [];
  const release = async (port: number) => {
    const srv = held.get(port);
    if (!srv) return;
    held.delete(port);
    await new Promise((r) => srv.close(r));
  };
  const releaseAll = async () => {
    await Promise.all([...held.keys()].map(release));
  };
  const unreserve = () => chosen.forEach(unreservePort);
  let next = range.low + Math.floor(Math.random() * span);
  try {
    for (let tried = 0; held.size < keys.length; tried++) {
      if (tried >= span) throw new Error(`No free loopback port between ${range.low} and ${range.high}.`);
      if (reserve(next)) {
        const srv = await listenOn(next);
        if (srv) {
          held.set(next, srv);
          chosen.push(next);
        } else {
          unreservePort(next);
        }
      }
      next = next + 1 >= range.high ? range.low : next + 1;
    }
  } catch (e) {
    await releaseAll();
    unreserve();
    throw e;
  }
  return { ports: Object.fromEntries(keys.map((k, i) => [k, chosen[i]!])), release, releaseAll, unreserve };
}

/** A server listening on `port` of 127.0.0.1, or null when the port is taken. */
function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    // A connection to a port still held (a gateway's probe of a subgraph not yet started) is refused at once, and never keeps close() waiting.
    const srv = createServer((socket) => socket.destroy());
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
