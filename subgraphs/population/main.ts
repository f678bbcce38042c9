/** Process entry of the population subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createPopulationAdapter } from '../../adapters/population/index.ts';
import { port, readConfig, url } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { announceReady, stopOnSignals } from '../../core/process.ts';
import { startSubgraph } from '../kit/index.ts';
import { population } from './index.ts';

const config = readConfig(
  z.object({
    PORT: port(4001),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.string().default('info'),
    /** The registry's SOAP endpoint (the stand-in's URL in development). */
    POPULATION_LEGACY_URL: url(),
    /** The registry's shared secret; the default is the stand-in's development value. */
    POPULATION_LEGACY_SECRET: z.string().optional(),
    /** PEM of the gateway's public key for principal tokens. */
    CITYGRAPH_PRINCIPAL_PUBLIC_KEY: z.string().min(1),
    POPULATION_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  }),
);
const logger = createLogger({ service: 'subgraph-population', level: config.LOG_LEVEL });
const registry = createPopulationAdapter({
  url: config.POPULATION_LEGACY_URL,
  secret: config.POPULATION_LEGACY_SECRET,
  timeoutMs: config.POPULATION_TIMEOUT_MS,
  logger,
});
const server = await startSubgraph(population, {
  port: config.PORT,
  host: config.HOST,
  principalPublicKeyPem: config.CITYGRAPH_PRINCIPAL_PUBLIC_KEY,
  deps: { registry },
  logger,
});
logger.info({ url: server.url }, 'population subgraph ready');
announceReady('subgraph-population', server.url);
stopOnSignals(server.close, logger);
