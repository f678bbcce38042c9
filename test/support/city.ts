/** Whole-system test support: a real city on ephemeral ports, tokens, queries and stand-in counters. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevKeys } from '../../core/dev-keys.ts';
import { signDevToken, type DevTokenInput } from '../../gateway/auth/index.ts';
import { startCity, type City, type CityOptions } from '../../scripts/lib/city.ts';

/** A city started for a test file, with helpers bound to it. */
export interface TestCity {
  city: City;
  dataDir: string;
  /** A development token signed with this city's key. */
  token(input: Omit<DevTokenInput, 'secret'>): Promise<string>;
  /** POSTs a GraphQL request to the gateway; returns status, headers and parsed body. */
  query(query: string, options?: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> }): Promise<GraphQLResponse>;
  /** A stand-in's `/__stats`. */
  stats(standIn: StandInName): Promise<{ requests: number; records: number } & Record<string, any>>;
  /** Resets every stand-in's counters. */
  resetStats(): Promise<void>;
  /** Sets a stand-in's fault injection (`null` mode clears it). */
  fault(standIn: StandInName, body: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** What the gateway answered. */
export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }> };
}

const STAND_INS = ['population-standin', 'medicalInsurance-standin', 'parking-standin', 'housingFund-standin', 'marketRegulation-standin', 'serviceHall-standin', 'licenceLibrary-standin'] as const;
/** A stand-in of the city. */
export type StandInName = (typeof STAND_INS)[number];
/** The same, under the name the cases tests use. */
export type StandIn = StandInName;

/** Starts a city in a fresh data folder. */
export async function startTestCity(options: Partial<CityOptions> = {}): Promise<TestCity> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-test-'));
  // The alarm engine looks on demand only (before `alarms` answers): its calls to the hall and the
  // registry never land in another test's stand-in counters. A test may set its own interval.
  // Two test files start cities side by side on two cores: a process may take well over the launcher's
  // 30 s to announce itself, and a cold subgraph over the 3 s request deadline, which the tests of
  // deadlines set again (faults.test.ts). The store's lock wait stays what a 3 s deadline gives it.
  const city = await startCity({
    dataDir,
    readyTimeoutMs: 120_000,
    ...options,
    env: { ALARM_ENGINE_INTERVAL_MS: '0', REQUEST_DEADLINE_MS: '8000', SUPERVISION_LOCK_TIMEOUT_MS: '1500', ...(options.env ?? { LOG_LEVEL: 'info' }) },
  });
  const secret = ensureDevKeys(dataDir).jwtSecret;
  const standInUrl = (name: string) => city.services[name]!.url.replace(/\/$/, '');
  return {
    city,
    dataDir,
    token: (input) => signDevToken({ ...input, secret }),
    async query(query, o = {}) {
      const res = await fetch(city.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
        body: JSON.stringify({ query, variables: o.variables }),
      });
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
    async stats(name) {
      return (await fetch(`${standInUrl(name)}/__stats`)).json();
    },
    async resetStats() {
      await Promise.all(STAND_INS.map((n) => fetch(`${standInUrl(n)}/__stats/reset`, { method: 'POST' })));
    },
    async fault(name, body) {
      const res = await fetch(`${standInUrl(name)}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`fault injection refused: ${res.status} ${await res.text()}`);
    },
    async stop() {
      await city.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
