/** Process entry of the population subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createPopulationAdapter } from '../../adapters/population/index.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { population } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The registry's SOAP endpoint (the stand-in's URL in development). */
    POPULATION_LEGACY_URL: url(),
    /** The registry's shared secret; default the stand-in's development value. */
    POPULATION_LEGACY_SECRET: z.string().optional(),
    POPULATION_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  }),
);

await runSubgraph(
  population,
  env,
  (logger) => ({
    registry: createPopulationAdapter({ url: env.POPULATION_LEGACY_URL, secret: env.POPULATION_LEGACY_SECRET, timeoutMs: env.POPULATION_TIMEOUT_MS, logger }),
  }),
  { supervision: true },
);
