/** Process entry of the housing fund subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createHousingFundAdapter } from '../../adapters/housingFund/index.ts';
import { readConfig } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { housingFund } from './index.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The fund's front-end exchange database: a SQLite file path or `postgres://…?schema=…` (the stand-in's file in development). */
    HOUSING_FUND_DATABASE: z.string().min(1),
    HOUSING_FUND_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** Write each statement to the fund's exchange log SJJH_RZ, as the fund asks of consumers. Default true. */
    HOUSING_FUND_EXCHANGE_LOG: z.enum(['true', 'false']).default('true'),
  }),
);

const fund = await createHousingFundAdapter({
  database: env.HOUSING_FUND_DATABASE,
  timeoutMs: env.HOUSING_FUND_TIMEOUT_MS,
  exchangeLog: env.HOUSING_FUND_EXCHANGE_LOG === 'true',
});

await runSubgraph(housingFund, env, () => ({ fund }), { supervision: true });
