/**
 * Brings up the whole city: the stand-in legacy systems, every subgraph and the gateway, each a real
 * process on its own port, wired by URLs. `npm start`, whole-system tests and benchmarks share it.
 */
import { resolve } from 'node:path';
import { ensureDevKeys } from '../../core/dev-keys.ts';
import { launch, type Service } from './processes.ts';

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

/** Starts every process of the city and resolves when the gateway is ready. */
export async function startCity(options: CityOptions): Promise<City> {
  const keys = ensureDevKeys(options.dataDir);
  const common = { CITYGRAPH_DATA_DIR: options.dataDir, ...options.env };
  const services: Record<string, Service> = {};
  const port = (fixed: number) => String(options.fixedPorts ? fixed : 0);
  const launched = new Map<string, { entry: string; env: Record<string, string> }>();
  const start = async (name: string, entry: string, env: Record<string, string>) => {
    const full = { ...common, ...env, ...options.serviceEnv?.[name] };
    launched.set(name, { entry, env: full });
    services[name] = await launch({ name, entry, echo: options.echo, env: full });
    return services[name];
  };
  try {
    // The fund's front-end database is a file the stand-in creates and seeds; the subgraph opens it itself.
    const fundDatabase = resolve(options.dataDir, 'housing-fund-frontdb.sqlite');
    const [population, medical, parkingPlatform, , registry, serviceHall] = await Promise.all([
      start('population-standin', 'adapters/population/standin/main.ts', { PORT: port(4101) }),
      start('medicalInsurance-standin', 'adapters/medicalInsurance/standin/main.ts', { PORT: port(4102) }),
      start('parking-standin', 'adapters/parking/standin/main.ts', { PORT: port(4105) }),
      start('housingFund-standin', 'adapters/housingFund/standin/main.ts', { PORT: port(4103), DATABASE_FILE: fundDatabase }),
      start('marketRegulation-standin', 'adapters/marketRegulation/standin/main.ts', { PORT: port(4104) }),
      start('serviceHall-standin', 'adapters/serviceHall/standin/main.ts', { PORT: port(4106) }),
    ]);
    const subgraphEnv = { CITYGRAPH_PRINCIPAL_PUBLIC_KEY: keys.principalPublicKeyPem };
    const [popSubgraph, medSubgraph, supSubgraph, parkSubgraph, fundSubgraph, regSubgraph, servicesSubgraph, codeSubgraph] = await Promise.all([
      start('subgraph-population', 'subgraphs/population/main.ts', { ...subgraphEnv, PORT: port(4001), POPULATION_LEGACY_URL: population.url }),
      start('subgraph-medicalInsurance', 'subgraphs/medicalInsurance/main.ts', {
        ...subgraphEnv,
        PORT: port(4002),
        MEDICAL_INSURANCE_LEGACY_URL: medical.url,
      }),
      start('subgraph-supervision', 'subgraphs/supervision/main.ts', { ...subgraphEnv, PORT: port(4003) }),
      start('subgraph-parking', 'subgraphs/parking/main.ts', { ...subgraphEnv, PORT: port(4006), PARKING_LEGACY_URL: parkingPlatform.url }),
      start('subgraph-housingFund', 'subgraphs/housingFund/main.ts', { ...subgraphEnv, PORT: port(4004), HOUSING_FUND_DATABASE: fundDatabase }),
      start('subgraph-marketRegulation', 'subgraphs/marketRegulation/main.ts', { ...subgraphEnv, PORT: port(4005), MARKET_REGULATION_LEGACY_URL: registry.url }),
      start('subgraph-services', 'subgraphs/services/main.ts', {
        ...subgraphEnv,
        PORT: port(4007),
        SERVICE_HALL_URL: serviceHall.url,
        POPULATION_LEGACY_URL: population.url,
        MEDICAL_INSURANCE_LEGACY_URL: medical.url,
        HOUSING_FUND_DATABASE: fundDatabase,
      }),
      start('subgraph-citycode', 'subgraphs/citycode/main.ts', {
        ...subgraphEnv,
        PORT: port(4008),
        POPULATION_LEGACY_URL: population.url,
        MEDICAL_INSURANCE_LEGACY_URL: medical.url,
        PARKING_LEGACY_URL: parkingPlatform.url,
      }),
    ]);
    const gateway = await start('gateway', 'gateway/main.ts', {
      PORT: String(options.gatewayPort ?? 0),
      SUBGRAPH_URLS: JSON.stringify({
        population: popSubgraph.url,
        medicalInsurance: medSubgraph.url,
        supervision: supSubgraph.url,
        parking: parkSubgraph.url,
        housingFund: fundSubgraph.url,
        marketRegulation: regSubgraph.url,
        services: servicesSubgraph.url,
        citycode: codeSubgraph.url,
      }),
    });
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
