/**
 * Brings up the whole city: the stand-in legacy systems, every subgraph and the gateway, each a real
 * process on its own port, wired by URLs. `npm start`, whole-system tests and benchmarks share it.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { ensureDevKeys } from '../../core/dev-keys.ts';
import { launch, type Service } from './processes.ts';
import { SUBGRAPHS } from './subgraphs.ts';

/** Options of a city. */
export interface CityOptions {
  /** Data folder (keys, API keys, supervision store). Required. */
  dataDir: string;
  /** Gateway port; 0 for ephemeral. Default 0. */
  gatewayPort?: number;
  /** Use the default fixed ports for subgraphs and stand-ins (4001…, 4101…) instead of ephemeral ones. Default false. */
  fixedPorts?: boolean;
  /** Extra environment for every process (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Extra environment by service name, e.g. `{ 'subgraph-population': { POPULATION_TIMEOUT_MS: '300' } }`. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Echo every process's output. Default false. */
  echo?: boolean;
  /** How long each process may take to announce itself, ms. Default 30000 (the launcher's). */
  readyTimeoutMs?: number;
}

/** A running city. */
export interface City {
  gatewayUrl: string;
  services: Record<string, Service>;
  /** Stops every process, gateway first. */
  stop(): Promise<void>;
  /** Kills a service with SIGKILL (a crash, no clean-up) and starts it again on the same port. */
  crashAndRestart(name: string): Promise<Service>;
  /** The environment a service was started with (on top of this process's), e.g. to start a second gateway like the first. */
  envOf(name: string): Record<string, string>;
}

/** The development clock file of a city's data folder (see core/clock.ts `withClockFile`). */
export function clockFileOf(dataDir: string): string {
  return resolve(dataDir, 'clock.json');
}

/** Starts every process of the city and resolves when the gateway is ready. */
export async function startCity(options: CityOptions): Promise<City> {
  const keys = ensureDevKeys(options.dataDir);
  // The development clock file: absent until a scenario writes it, then "now" for the hall, the cases and the alarms.
  const common = { CITYGRAPH_DATA_DIR: options.dataDir, CITYGRAPH_CLOCK_FILE: clockFileOf(options.dataDir), ...options.env };
  const services: Record<string, Service> = {};
  const launched = new Map<string, { entry: string; env: Record<string, string> }>();
  const start = async (name: string, entry: string, env: Record<string, string>) => {
    const full = { ...common, ...env, ...options.serviceEnv?.[name] };
    launched.set(name, { entry, env: full });
    services[name] = await launch({ name, entry, echo: options.echo, env: full, readyTimeoutMs: options.readyTimeoutMs });
    return services[name];
  };
  try {
    // The fund's front-end database is a file the stand-in creates and seeds; the subgraph opens it itself.
    const fundDatabase = resolve(options.dataDir, 'housing-fund-frontdb.sqlite');
    // Every port is chosen before anything starts, so that every process can start at once: a process
    // learns the others' URLs from its environment, not by waiting for them to announce themselves.
    const p = options.fixedPorts ? FIXED_PORTS : await freePorts(Object.keys(FIXED_PORTS) as (keyof typeof FIXED_PORTS)[]);
    const standIn = (name: keyof typeof FIXED_PORTS) => `http://127.0.0.1:${p[name]}`;
    const subgraph = (name: keyof typeof FIXED_PORTS) => `http://127.0.0.1:${p[name]}/`;
    const subgraphEnv = { CITYGRAPH_PRINCIPAL_PUBLIC_KEY: keys.principalPublicKeyPem };
    const fund = start('housingFund-standin', 'adapters/housingFund/standin/main.ts', { PORT: String(p.housingFundStandIn), DATABASE_FILE: fundDatabase });
    const all = await Promise.all([
      start('population-standin', 'adapters/population/standin/main.ts', { PORT: String(p.populationStandIn) }),
      start('medicalInsurance-standin', 'adapters/medicalInsurance/standin/main.ts', { PORT: String(p.medicalInsuranceStandIn) }),
      start('parking-standin', 'adapters/parking/standin/main.ts', { PORT: String(p.parkingStandIn) }),
      fund,
      start('marketRegulation-standin', 'adapters/marketRegulation/standin/main.ts', { PORT: String(p.marketRegulationStandIn) }),
      start('serviceHall-standin', 'adapters/serviceHall/standin/main.ts', { PORT: String(p.serviceHallStandIn) }),
      start('licenceLibrary-standin', 'adapters/licenceLibrary/standin/main.ts', { PORT: String(p.licenceLibraryStandIn) }),
      start('subgraph-population', 'subgraphs/population/main.ts', { ...subgraphEnv, PORT: String(p.population), POPULATION_LEGACY_URL: standIn('populationStandIn') }),
      start('subgraph-medicalInsurance', 'subgraphs/medicalInsurance/main.ts', { ...subgraphEnv, PORT: String(p.medicalInsurance), MEDICAL_INSURANCE_LEGACY_URL: standIn('medicalInsuranceStandIn') }),
      // The alarm engine runs in the supervision subgraph: it reads cases from the hall and households from the registry.
      start('subgraph-supervision', 'subgraphs/supervision/main.ts', {
        ...subgraphEnv,
        PORT: String(p.supervision),
        SERVICE_HALL_URL: standIn('serviceHallStandIn'),
        POPULATION_LEGACY_URL: standIn('populationStandIn'),
      }),
      start('subgraph-parking', 'subgraphs/parking/main.ts', { ...subgraphEnv, PORT: String(p.parking), PARKING_LEGACY_URL: standIn('parkingStandIn') }),
      // These two open the fund's database file, which its stand-in creates: they start once it is there.
      fund.then(() => start('subgraph-housingFund', 'subgraphs/housingFund/main.ts', { ...subgraphEnv, PORT: String(p.housingFund), HOUSING_FUND_DATABASE: fundDatabase })),
      start('subgraph-marketRegulation', 'subgraphs/marketRegulation/main.ts', { ...subgraphEnv, PORT: String(p.marketRegulation), MARKET_REGULATION_LEGACY_URL: standIn('marketRegulationStandIn') }),
      fund.then(() =>
        start('subgraph-services', 'subgraphs/services/main.ts', {
          ...subgraphEnv,
          PORT: String(p.services),
          SERVICE_HALL_URL: standIn('serviceHallStandIn'),
          POPULATION_LEGACY_URL: standIn('populationStandIn'),
          MEDICAL_INSURANCE_LEGACY_URL: standIn('medicalInsuranceStandIn'),
          HOUSING_FUND_DATABASE: fundDatabase,
          LICENCE_LIBRARY_URL: standIn('licenceLibraryStandIn'),
          MARKET_REGULATION_LEGACY_URL: standIn('marketRegulationStandIn'),
        }),
      ),
      start('subgraph-documents', 'subgraphs/documents/main.ts', {
        ...subgraphEnv,
        PORT: String(p.documents),
        LICENCE_LIBRARY_URL: standIn('licenceLibraryStandIn'),
        SERVICE_HALL_URL: standIn('serviceHallStandIn'),
      }),
      start('subgraph-citycode', 'subgraphs/citycode/main.ts', {
        ...subgraphEnv,
        PORT: String(p.citycode),
        POPULATION_LEGACY_URL: standIn('populationStandIn'),
        MEDICAL_INSURANCE_LEGACY_URL: standIn('medicalInsuranceStandIn'),
        PARKING_LEGACY_URL: standIn('parkingStandIn'),
      }),
      start('gateway', 'gateway/main.ts', {
        PORT: String(options.gatewayPort ?? 0),
        SUBGRAPH_URLS: JSON.stringify(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, subgraph(s.name as SubgraphName)]))),
      }),
    ]);
    const gateway = all.at(-1)!;
    // A port taken between choosing and binding would show here, rather than as a city talking to a stranger.
    for (const s of all.slice(0, -1)) {
      if (new URL(s.url).port !== String(p[serviceKey(s.name)])) throw new Error(`${s.name} announced ${s.url}, not the port chosen for it; start again.`);
    }
    const stop = async () => {
      await gateway.stop();
      await Promise.all(Object.values(services).map((s) => s.stop()));
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
    return { gatewayUrl: gateway.url, services, stop, crashAndRestart, envOf };
  } catch (e) {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    throw e;
  }
}

/** The default ports (`fixedPorts`): each subgraph's from scripts/lib/subgraphs.ts, stand-ins 4101…. */
const FIXED_PORTS = {
  ...(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, s.defaultPort])) as Record<SubgraphName, number>),
  populationStandIn: 4101, medicalInsuranceStandIn: 4102, housingFundStandIn: 4103, marketRegulationStandIn: 4104, parkingStandIn: 4105, serviceHallStandIn: 4106, licenceLibraryStandIn: 4107,
};
type SubgraphName = 'population' | 'medicalInsurance' | 'supervision' | 'housingFund' | 'marketRegulation' | 'parking' | 'services' | 'citycode' | 'documents';

/** The FIXED_PORTS key of a service name: `subgraph-parking` → `parking`, `parking-standin` → `parkingStandIn`. */
function serviceKey(name: string): keyof typeof FIXED_PORTS {
  return (name.startsWith('subgraph-') ? name.slice(9) : name.replace(/-standin$/, 'StandIn')) as keyof typeof FIXED_PORTS;
}

/** Free loopback ports, one per key (asked of the kernel, then released for the service to bind). */
async function freePorts<K extends string>(keys: readonly K[]): Promise<Record<K, number>> {
  const servers = await Promise.all(
    keys.map(
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((srv) => (srv.address() as AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return Object.fromEntries(keys.map((k, i) => [k, ports[i]!])) as Record<K, number>;
}
