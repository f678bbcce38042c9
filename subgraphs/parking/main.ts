/** Process entry of the parking subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createParkingAdapter } from '../../adapters/parking/index.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { parking } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The parking platform's base URL (the stand-in's URL in development). */
    PARKING_LEGACY_URL: url(),
    /** Our app id at the platform. */
    PARKING_APP_ID: z.string().min(1).default('citygraph'),
    /** Our app secret; default the stand-in's development value. */
    PARKING_APP_SECRET: z.string().min(1).optional(),
    /** One attempt's timeout. */
    PARKING_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** What one platform operation may take in all, 429 waits and retries included. */
    PARKING_BUDGET_MS: z.coerce.number().int().positive().default(5000),
    PARKING_CONCURRENCY: z.coerce.number().int().positive().default(8),
  }),
);

await runSubgraph(
  parking,
  env,
  () => ({
    platform: createParkingAdapter({
      url: env.PARKING_LEGACY_URL,
      appId: env.PARKING_APP_ID,
      ...(env.PARKING_APP_SECRET ? { secret: env.PARKING_APP_SECRET } : {}),
      timeoutMs: env.PARKING_TIMEOUT_MS,
      budgetMs: env.PARKING_BUDGET_MS,
      concurrency: env.PARKING_CONCURRENCY,
    }),
  }),
  { supervision: true },
);
