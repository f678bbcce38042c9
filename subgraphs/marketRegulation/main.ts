/** Process entry of the market regulation subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createMarketRegulationAdapter } from '../../adapters/marketRegulation/index.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { marketRegulation } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The registry's base URL (the stand-in's URL in development). */
    MARKET_REGULATION_LEGACY_URL: url(),
    /** `samr` (the provincial SAMR interface) or `sharing` (the city sharing platform). */
    MARKET_REGULATION_SOURCE: z.enum(['samr', 'sharing']).default('samr'),
    MARKET_REGULATION_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  }),
);

await runSubgraph(marketRegulation, env, () => ({
  registry: createMarketRegulationAdapter({ url: env.MARKET_REGULATION_LEGACY_URL, source: env.MARKET_REGULATION_SOURCE, timeoutMs: env.MARKET_REGULATION_TIMEOUT_MS }),
}));
