/** Process entry of the gateway: configuration is read here and only here. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { port, readConfig } from '../core/config.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { createLogger } from '../core/logger.ts';
import { ROLES } from '../core/principal.ts';
import { startTracing } from '../core/tracing.ts';
import { announceReady, stopOnSignals } from '../core/process.ts';
import { createAuthenticator, signDevToken, TOKEN_ROLES } from './auth/index.ts';
import { checkLimitsConfig } from './limits/options.ts';
import { CONSOLE_CLIENT, type DevTokenRequest } from './pages.ts';
import { parseManifest, watchManifests, withClientManifest } from './persisted.ts';
import { startGateway } from './server.ts';
import { watchSupergraphFile } from './supergraph.ts';

/** A JSON value in an environment variable. */
function jsonValue() {
  return z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  });
}

const config = readConfig(
  z.object({
    PORT: port(4000),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.string().default('info'),
    /** Folder of development keys, API keys and the embedded supervision store. */
    CITYGRAPH_DATA_DIR: z.string().default('.data'),
    /** JSON object of subgraph name → URL, or → array of its instances' URLs (calls spread round-robin); overrides the URLs in the supergraph. */
    SUBGRAPH_URLS: z
      .string()
      .default('{}')
      .transform((s, ctx) => {
        try {
          return z.record(z.string(), z.union([z.string().url(), z.array(z.string().url()).min(1)])).parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of subgraph name to URL or to a non-empty array of URLs' });
          return z.NEVER;
        }
      }),
    /** How often each instance of a subgraph with several is probed on /readyz, ms. Default 1000. */
    GATEWAY_INSTANCE_PROBE_MS: z.coerce.number().int().min(0).default(1000),
    /** The Ed25519 key (PKCS#8 PEM file) that signs principal tokens; default the development key in `<data dir>/keys/`. Rolled over by giving subgraphs the next public key first (see README). */
    PRINCIPAL_PRIVATE_KEY_FILE: z.string().optional(),
    /** Production: a JWKS URL or file; when neither is set, the development HS256 key is used. */
    JWKS_URL: z.string().url().optional(),
    JWKS_FILE: z.string().optional(),
    JWT_ISSUER: z.string().default('citygraph-dev'),
    JWT_AUDIENCE: z.string().default('citygraph'),
    /** Integrator API keys (hashes only); default `<data dir>/api-keys.json`. */
    API_KEYS_FILE: z.string().optional(),
    /** The composed supergraph; default the repository's schema/supergraph.graphql (a ConfigMap in Kubernetes). */
    SUPERGRAPH_FILE: z.string().default(fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url))),
    /** On SIGTERM: ms of answering /readyz 503 while still serving, so the load balancer stops sending first. Default 0. */
    SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
    /** On SIGTERM: longest wait for the requests in flight to finish, ms. Default 10000. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    /** `otlp` exports OpenTelemetry spans over OTLP/HTTP; default `none`. */
    OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
    /** Base URL of the OTLP/HTTP receiver (`/v1/traces` is added). Default http://127.0.0.1:4318. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().default('http://127.0.0.1:4318'),
    /** Milliseconds between span exports. Default 5000. */
    OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().positive().default(5000),
    /** `production` closes introspection and schema details to all but admins; anything else is development. */
    NODE_ENV: z.string().default('development'),
    /** Milliseconds a request may take at the gateway, sent on to subgraphs and legacy calls. Default 3000. */
    REQUEST_DEADLINE_MS: z.coerce.number().int().positive().default(3000),
    /** JSON limits by default/role/client (see gateway/limits/options.ts); default the built-in limits. */
    GATEWAY_LIMITS: jsonValue().default({}),
    /** Largest request body in bytes. Default 1 MiB. */
    GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
    /** Milliseconds a client has to send a whole request (slow-loris guard). Default 10000. */
    GATEWAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** `false` hands Apollo the client's literal arguments as written (one parse and plan per text), e.g. to measure the rewrite. Default `true`. */
    GATEWAY_LITERALS_AS_VARIABLES: z.enum(['true', 'false']).default('true'),
    /** `redis://…` to share rate limits between gateways; default in memory. */
    REDIS_URL: z.string().url().optional(),
    /** Prefix of the rate-limit keys in Redis. Default `citygraph:rl`. */
    RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('citygraph:rl'),
    /** Folder of `<client>.json` persisted-operation manifests; default `<data dir>/persisted-operations`. */
    PERSISTED_OPERATIONS_DIR: z.string().optional(),
    /** Roles allowed ad-hoc (unregistered) operations, comma-separated. Default every role but integrator in production, every role in development. */
    /** The built console (web/dist, with its persisted operations); default the repository's. */
    CONSOLE_DIR: z.string().default(fileURLToPath(new URL('../web/dist', import.meta.url))),
    ADHOC_OPERATION_ROLES: z
      .string()
      .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
      .pipe(z.array(z.enum(ROLES)))
      .optional(),
  }),
);

const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const tracing = await startTracing({ service: 'gateway', exporter: config.OTEL_TRACES_EXPORTER, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, scheduledDelayMs: config.OTEL_BSP_SCHEDULE_DELAY });
const keys = ensureDevKeys(config.CITYGRAPH_DATA_DIR);
const production = Boolean(config.JWKS_URL || config.JWKS_FILE);
const development = config.NODE_ENV !== 'production';
const authenticator = createAuthenticator({
  jwt: production
    ? { jwksUrl: config.JWKS_URL, jwksFile: config.JWKS_FILE, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }
    : { hs256Secret: keys.jwtSecret, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  apiKeysFile: config.API_KEYS_FILE ?? join(config.CITYGRAPH_DATA_DIR, 'api-keys.json'),
});
// The console's operations are trusted documents of its own client, built with it (web/dist).
const consoleManifestFile = join(config.CONSOLE_DIR, 'persisted-operations.json');
const consoleManifest = existsSync(consoleManifestFile) ? parseManifest(readFileSync(consoleManifestFile, 'utf8'), consoleManifestFile) : new Map<string, string>();
if (!existsSync(consoleManifestFile)) logger.warn({}, 'the console is not built (npm run -s build:web): /console/ answers 503');
const manifests = watchManifests(config.PERSISTED_OPERATIONS_DIR ?? join(config.CITYGRAPH_DATA_DIR, 'persisted-operations'), (e) =>
  logger.error({ err: e }, 'a persisted-operation manifest could not be read; the previous ones stay in force'),
);
// Development sign-in: only where the gateway itself verifies development tokens, never with an identity provider.
const mintDevToken =
  development && !production
    ? (r: DevTokenRequest) => {
        if (!(TOKEN_ROLES as readonly string[]).includes(r.role)) throw new Error(`role must be one of ${TOKEN_ROLES.join(', ')}.`);
        const sub = r.sub ?? ({ auditor: 'auditor-dev', admin: 'admin-dev', staff: 'staff-dev' } as Record<string, string>)[r.role];
        if (!sub) throw new Error(`A ${r.role} token needs a subject (sub${r.role === 'citizen' ? ': a resident ID number' : ''}).`);
        return signDevToken({ secret: keys.jwtSecret, role: r.role as (typeof TOKEN_ROLES)[number], sub, department: r.department, client: CONSOLE_CLIENT, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 3600 });
      }
    : undefined;
const server = await startGateway({
  port: config.PORT,
  host: config.HOST,
  supergraphSdl: readFileSync(config.SUPERGRAPH_FILE, 'utf8'),
  subgraphUrls: config.SUBGRAPH_URLS,
  instanceProbeMs: config.GATEWAY_INSTANCE_PROBE_MS,
  authenticator,
  principalPrivateKeyPem: config.PRINCIPAL_PRIVATE_KEY_FILE ? readFileSync(config.PRINCIPAL_PRIVATE_KEY_FILE, 'utf8') : keys.principalPrivateKeyPem,
  logger,
  development,
  deadlineMs: config.REQUEST_DEADLINE_MS,
  limits: checkLimitsConfig(config.GATEWAY_LIMITS),
  maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
  requestTimeoutMs: config.GATEWAY_REQUEST_TIMEOUT_MS,
  literalsAsVariables: config.GATEWAY_LITERALS_AS_VARIABLES === 'true',
  redisUrl: config.REDIS_URL,
  redisKeyPrefix: config.RATE_LIMIT_REDIS_PREFIX,
  persisted: {
    manifests: withClientManifest(manifests, CONSOLE_CLIENT, consoleManifest),
    // Development lets integrators try operations before registering them; production runs registered ones only.
    adhocRoles: config.ADHOC_OPERATION_ROLES ?? (development ? [...ROLES] : ROLES.filter((r) => r !== 'integrator')),
  },
  pages: { consoleDir: config.CONSOLE_DIR, modulesDir: fileURLToPath(new URL('../node_modules', import.meta.url)), development, mintDevToken },
});
logger.info({ url: server.url, tracing: config.OTEL_TRACES_EXPORTER, auth: production ? 'jwks' : 'development hs256', mode: development ? 'development' : 'production', rateLimits: config.REDIS_URL ? 'redis' : 'memory' }, 'gateway ready');
// A changed file (a new ConfigMap) or SIGHUP loads the supergraph again; one that does not compose is refused.
const unwatch = watchSupergraphFile(config.SUPERGRAPH_FILE, { load: (sdl) => server.reload(sdl) }, logger);
announceReady('gateway', server.url);
stopOnSignals(async () => {
  unwatch();
  await server.drain({ delayMs: config.SHUTDOWN_DELAY_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await tracing.shutdown();
}, logger, config.SHUTDOWN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS + 3000);
