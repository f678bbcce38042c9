/** Process entry of the gateway: configuration is read here and only here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { port, readConfig } from '../core/config.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { createLogger } from '../core/logger.ts';
import { announceReady, stopOnSignals } from '../core/process.ts';
import { createAuthenticator } from './auth/index.ts';
import { startGateway } from './server.ts';

const config = readConfig(
  z.object({
    PORT: port(4000),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.string().default('info'),
    /** Folder of development keys, API keys and the embedded supervision store. */
    CITYGRAPH_DATA_DIR: z.string().default('.data'),
    /** JSON object of subgraph name → URL; overrides the URLs in the supergraph. */
    SUBGRAPH_URLS: z
      .string()
      .default('{}')
      .transform((s, ctx) => {
        try {
          return z.record(z.string(), z.string().url()).parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of subgraph name to URL' });
          return z.NEVER;
        }
      }),
    /** Production: a JWKS URL or file; when neither is set, the development HS256 key is used. */
    JWKS_URL: z.string().url().optional(),
    JWKS_FILE: z.string().optional(),
    JWT_ISSUER: z.string().default('citygraph-dev'),
    JWT_AUDIENCE: z.string().default('citygraph'),
    /** Integrator API keys (hashes only); default `<data dir>/api-keys.json`. */
    API_KEYS_FILE: z.string().optional(),
    /** The composed supergraph; default the repository's schema/supergraph.graphql (a ConfigMap in Kubernetes). */
    SUPERGRAPH_FILE: z.string().default(fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url))),
  }),
);

const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const keys = ensureDevKeys(config.CITYGRAPH_DATA_DIR);
const production = Boolean(config.JWKS_URL || config.JWKS_FILE);
const authenticator = createAuthenticator({
  jwt: production
    ? { jwksUrl: config.JWKS_URL, jwksFile: config.JWKS_FILE, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }
    : { hs256Secret: keys.jwtSecret, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  apiKeysFile: config.API_KEYS_FILE ?? join(config.CITYGRAPH_DATA_DIR, 'api-keys.json'),
});
const server = await startGateway({
  port: config.PORT,
  host: config.HOST,
  supergraphSdl: readFileSync(config.SUPERGRAPH_FILE, 'utf8'),
  subgraphUrls: config.SUBGRAPH_URLS,
  authenticator,
  principalPrivateKeyPem: keys.principalPrivateKeyPem,
  logger,
});
logger.info({ url: server.url, auth: production ? 'jwks' : 'development hs256' }, 'gateway ready');
announceReady('gateway', server.url);
stopOnSignals(server.close, logger);
