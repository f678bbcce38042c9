/**
 * The alarms of one supervision subgraph process: the alarm tables (opened on first use, so a store
 * that is down at start does not stop the subgraph), the engine on an interval, and what the
 * resolvers need (a pass on demand, the list, the acknowledgement's pseudonyms).
 */
import { join } from 'node:path';
import { createPopulationAdapter } from '../../../adapters/population/index.ts';
import { createServiceHallAdapter } from '../../../adapters/serviceHall/index.ts';
import { cityClock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/logger.ts';
import { openAlarmStore, type AlarmStore } from '../../../supervision/alarms-store.ts';
import { pseudonymOf, type HashAlgorithm, type SupervisionStore } from '../../../supervision/index.ts';
import type { AlarmEnv } from './config.ts';
import { AlarmEngine } from './engine.ts';
import { alarmSources } from './sources.ts';

/** What the resolvers use. */
export interface AlarmService {
  /** The alarm tables (opened on first call). */
  store(): Promise<AlarmStore>;
  /** One engine pass now (joined with one in flight). */
  run(): Promise<number>;
  /** Pseudonym of a plain identifier, as the log keeps it. */
  pseudonym(id: string): { hmac: string; masked: string };
  /** Stops the interval and closes the tables. */
  close(): Promise<void>;
}

/** Where the log is, its subject key and hash: as the subgraph opens its store. */
export interface AlarmStoreLocation {
  dataDir: string;
  databaseUrl: string | undefined;
  subjectKey: string;
  hash: HashAlgorithm;
  busyTimeoutMs: number;
}

/** Builds the service; the interval starts at once (0: none). */
export function createAlarmService(env: AlarmEnv, where: AlarmStoreLocation, log: SupervisionStore, logger: Logger): AlarmService {
  let opening: Promise<AlarmStore> | null = null;
  const store = () => {
    opening ??= openAlarmStore(where.databaseUrl ?? join(where.dataDir, 'supervision.db'), { busyTimeoutMs: where.busyTimeoutMs }).catch((e: unknown) => {
      opening = null;
      throw e;
    });
    return opening;
  };
  const pseudonym = (id: string) => pseudonymOf(id, where.subjectKey, where.hash);
  const hall = env.SERVICE_HALL_URL ? createServiceHallAdapter({ url: env.SERVICE_HALL_URL, appId: env.SERVICE_HALL_APP_ID, appSecret: env.SERVICE_HALL_APP_SECRET }) : null;
  const population = env.POPULATION_LEGACY_URL ? createPopulationAdapter({ url: env.POPULATION_LEGACY_URL, secret: env.POPULATION_LEGACY_SECRET }) : null;
  let engine: AlarmEngine | null = null;
  const run = async () => {
    engine ??= new AlarmEngine({
      log,
      alarms: await store(),
      sources: alarmSources(hall, population ? (ids, ctx) => population.householdsOf(ids, ctx) : null),
      limits: {
        warnWorkingDays: env.ALARM_TIMEOUT_WARN_WORKING_DAYS,
        burstCount: env.ALARM_APPROVAL_BURST_COUNT,
        burstWindowMs: env.ALARM_APPROVAL_BURST_WINDOW_MS,
        maxRecordsPerPass: env.ALARM_MAX_RECORDS_PER_PASS,
      },
      pseudonym: (id) => pseudonym(id).hmac,
      clock: cityClock(env),
      // Raising is recorded in the supervision chain, by the engine as a system actor (cheap: a group-committed access record).
      onRaised: (a) =>
        log.appendAccess({
          department: 'supervision',
          actor: { role: 'system', client: 'alarm-engine' },
          field: 'Alarm.raise',
          args: { alarmId: `ALM-${a.id}`, kind: a.kind, rule: a.rule, severity: a.severity, caseNumber: a.caseNumber, evidence: a.evidence },
        }),
      logger,
    });
    return engine.run();
  };
  const timer =
    env.ALARM_ENGINE_INTERVAL_MS > 0
      ? setInterval(() => {
          run().catch((e: unknown) => logger.warn({ err: e }, 'alarm engine pass failed; the next one retries'));
        }, env.ALARM_ENGINE_INTERVAL_MS)
      : null;
  timer?.unref();
  return {
    store,
    run,
    pseudonym,
    async close() {
      if (timer) clearInterval(timer);
      if (opening) await (await opening.catch(() => null))?.close();
    },
  };
}
