/**
 * Runs a department's subgraph as a process: the configuration every subgraph shares, read once, the
 * supervision store opened (lazily, so queries go on while it is down), readiness announced.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { port } from '../../core/config.ts';
import type { HttpRoute } from '../../core/graphql-http.ts';
import { ensureDevSecret } from '../../core/dev-keys.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { supervisionWriteDuration } from '../../core/metrics.ts';
import { startTracing } from '../../core/tracing.ts';
import { announceReady, stopOnSignals } from '../../core/process.ts';
import { openSupervisionStore, type SupervisionStore } from '../../supervision/index.ts';
import type { SubgraphDefinition } from './definition.ts';
import { lazySupervisionStore } from './lazy-store.ts';
import { hasDisclosures } from './build.ts';
import { startSubgraph } from './server.ts';

/** Environment every subgraph process reads; departments extend it with their legacy system's. */
export const subgraphEnv = z.object({
  PORT: port(0),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.string().default('info'),
  /** PEM of the gateway's public key for principal tokens. */
  CITYGRAPH_PRINCIPAL_PUBLIC_KEY: z.string().min(1),
  /** Data folder: the embedded SQLite supervision store and development keys. */
  CITYGRAPH_DATA_DIR: z.string().default('.data'),
  /** `postgres://…` for a supervision store shared by several instances; default SQLite in the data folder. */
  DATABASE_URL: z.string().optional(),
  /** Key of the subject HMACs in supervision records (≥ 32 chars); default a generated development key. */
  SUPERVISION_SUBJECT_KEY: z.string().min(32).optional(),
  /** Record hash for a new store; default sm3. */
  SUPERVISION_HASH: z.enum(['sm3', 'sha256']).default('sm3'),
  /** Checkpoint signature; default sm2. */
  SUPERVISION_SIGNATURE: z.enum(['sm2', 'ed25519']).default('sm2'),
  /**
   * At start-up, open intents older than this are marked OUTCOME_UNKNOWN. Default 0 (all: right for one
   * instance per department); with several instances on one PostgreSQL store, set it above the longest
   * mutation so a starting instance never marks another's change in flight.
   */
  SUPERVISION_RECOVER_OLDER_THAN_MS: z.coerce.number().int().min(0).default(0),
  /**
   * This instance's id: its intents carry it and its lease in the store is renewed under it. Unique among
   * running instances (a Kubernetes pod name); a process restarted under the same id marks at once what
   * the previous one left open. Default `<department>@<hostname>` (one instance per department and host).
   */
  CITYGRAPH_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/).optional(),
  /** Lease of an instance, ms: renewed every third of it; an instance silent this long is presumed dead and its open intents are marked. Default 15000. */
  SUPERVISION_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  /** Longest a request may run in this subgraph (ms); the gateway's deadline header shortens it. Default 3000. */
  REQUEST_DEADLINE_MS: z.coerce.number().int().positive().default(3000),
  /**
   * Longest wait for the store's write lock (SQLite busy timeout, PostgreSQL lock timeout), ms. Default half
   * of REQUEST_DEADLINE_MS, so a locked store refuses the change (SUPERVISION_UNAVAILABLE) within the deadline.
   */
  SUPERVISION_LOCK_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** On SIGTERM: ms of answering /readyz 503 while still serving, so gateways and load balancers stop sending first. Default 0. */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** On SIGTERM: longest wait for the requests in flight to finish, ms. Default 10000. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * BENCHMARKS ONLY: `1` turns off the access records of reads of personal data (阳光示权), so the bench
   * can measure what they cost on the same build. Refused when NODE_ENV is `production`.
   */
  CITYGRAPH_BENCH_NO_READ_RECORDS: z.enum(['0', '1']).default('0'),
  /** `production` refuses CITYGRAPH_BENCH_NO_READ_RECORDS; default unset (development). */
  NODE_ENV: z.string().optional(),
  /** `otlp` exports OpenTelemetry spans over OTLP/HTTP; default `none`. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
  /** Base URL of the OTLP/HTTP receiver (`/v1/traces` is added). Default http://127.0.0.1:4318. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().default('http://127.0.0.1:4318'),
  /** Milliseconds between span exports. Default 5000. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().positive().default(5000),
});
export type SubgraphEnv = z.infer<typeof subgraphEnv>;

/** Opens the supervision store the environment describes (lazily). */
export function supervisionFromEnv(env: SubgraphEnv, log: Logger, department?: string): ReturnType<typeof lazySupervisionStore> {
  const subjectKey = env.SUPERVISION_SUBJECT_KEY ?? ensureDevSecret(env.CITYGRAPH_DATA_DIR, 'subject-hmac');
  const lockTimeoutMs = env.SUPERVISION_LOCK_TIMEOUT_MS ?? Math.max(100, Math.floor(env.REQUEST_DEADLINE_MS / 2));
  return lazySupervisionStore(
    () =>
      openSupervisionStore({
        url: env.DATABASE_URL,
        dataDir: env.CITYGRAPH_DATA_DIR,
        hash: env.SUPERVISION_HASH,
        signing: { algorithm: env.SUPERVISION_SIGNATURE },
        subjectKey,
        busyTimeoutMs: lockTimeoutMs,
        lockTimeoutMs,
        onError: (e) => log.error({ err: e }, 'supervision store background failure'),
        ...(department ? { instance: { id: env.CITYGRAPH_INSTANCE_ID ?? `${department}@${hostname()}`, department, leaseMs: env.SUPERVISION_LEASE_MS } } : {}),
      }),
    (e) => log.error({ err: e }, 'supervision store cannot be opened; mutations are refused until it can'),
  );
}

/** Starts `def` as this process's service and keeps it running until a signal. */
export async function runSubgraph<TDeps>(
  def: SubgraphDefinition<TDeps, any>,
  env: SubgraphEnv,
  makeDeps: (log: Logger, supervision: SupervisionStore | undefined) => TDeps,
  options: { supervision?: boolean; routes?: (deps: TDeps) => Record<string, HttpRoute> } = {},
): Promise<void> {
  const service = `subgraph-${def.name}`;
  const logger = createLogger({ service, level: env.LOG_LEVEL });
  const recordReads = readRecordsWanted(env, env.NODE_ENV);
  if (!recordReads) logger.warn('CITYGRAPH_BENCH_NO_READ_RECORDS=1: reads of personal data are NOT recorded (benchmarks only)');
  const tracing = await startTracing({ service, exporter: env.OTEL_TRACES_EXPORTER, otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, scheduledDelayMs: env.OTEL_BSP_SCHEDULE_DELAY });
  // A department that discloses personal data records each read, so it needs the store too.
  const supervision = options.supervision || hasDisclosures(def) ? timedWrites(supervisionFromEnv(env, logger, def.name)) : undefined;
  const deps = makeDeps(logger, supervision);
  const server = await startSubgraph(def, {
    port: env.PORT,
    host: env.HOST,
    principalPublicKeyPem: env.CITYGRAPH_PRINCIPAL_PUBLIC_KEY,
    deps,
    routes: options.routes?.(deps),
    logger,
    supervision,
    recordReads,
    maxDeadlineMs: env.REQUEST_DEADLINE_MS,
    // The store answering a read proves it is open; no probe record is written (it would join the chain).
    // One row by key: gateways probe every instance every second when a department has several.
    readinessChecks: supervision ? { supervisionStore: async () => (await supervision.get(1), 'ok') } : {},
  });
  // At start-up and then every lease length: the intents of instances that died are marked within about two leases.
  let recovery: NodeJS.Timeout | undefined;
  if (supervision && def.powers) {
    await recoverInterrupted(supervision, env, logger);
    recovery = setInterval(() => void recoverInterrupted(supervision, env, logger), env.SUPERVISION_LEASE_MS);
    recovery.unref();
  }
  logger.info({ url: server.url }, 'subgraph ready');
  announceReady(service, server.url);
  // SIGTERM (a rolling update): drain first, so every change in flight gets its outcome before the store closes.
  stopOnSignals(async () => {
    clearInterval(recovery);
    await server.drain({ delayMs: env.SHUTDOWN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
    await supervision?.close();
    await tracing.shutdown();
  }, logger, env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_TIMEOUT_MS + 3000);
}

/**
 * False only for the bench's measurement of what access records cost; never in production, where a
 * read that is not recorded must not happen, so the switch is refused there rather than obeyed.
 */
export function readRecordsWanted(env: Pick<SubgraphEnv, 'CITYGRAPH_BENCH_NO_READ_RECORDS'>, nodeEnv: string | undefined): boolean {
  if (env.CITYGRAPH_BENCH_NO_READ_RECORDS !== '1') return true;
  if (nodeEnv === 'production') {
    throw new Error('Invalid configuration:\n  CITYGRAPH_BENCH_NO_READ_RECORDS: benchmarks only; refused with NODE_ENV=production, where every read of personal data is recorded. Unset it.');
  }
  return false;
}

/** An intent without outcome means a change was interrupted by a crash: mark it for the auditors. */
async function recoverInterrupted(store: SupervisionStore, env: SubgraphEnv, log: Logger): Promise<void> {
  try {
    const marked = await store.recoverUnfinished({ olderThanMs: env.SUPERVISION_RECOVER_OLDER_THAN_MS });
    if (marked > 0) log.warn({ marked }, 'interrupted mutations marked OUTCOME_UNKNOWN');
  } catch (e) {
    // The store may be down at start-up; mutations are refused until it is back, queries go on.
    log.error({ err: e }, 'could not check for interrupted mutations');
  }
}

/** Times every write of the store for `citygraph_supervision_write_duration_seconds`. */
function timedWrites(store: SupervisionStore): SupervisionStore {
  for (const kind of ['appendIntent', 'appendOutcome', 'appendDenied', 'appendAccess', 'appendAccesses'] as const) {
    const write = store[kind].bind(store) as (...a: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[kind] = async (...args: unknown[]) => {
      const end = supervisionWriteDuration.startTimer({ kind });
      try {
        const ref = await write(...args);
        end({ outcome: 'ok' });
        return ref;
      } catch (e) {
        end({ outcome: 'failed' });
        throw e;
      }
    };
  }
  return store;
}
