/**
 * Process entry of the housing fund stand-in: `node adapters/housingFund/standin/main.ts`.
 * The only place that reads the environment (DATABASE_FILE required; PORT, HOST, CITIZENS, SEED).
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startHousingFundStandIn } from './index.ts';

const env = readConfig(
  z.object({
    /** The SQLite file the stand-in creates and seeds: the fund's front-end database. */
    DATABASE_FILE: z.string().min(1),
    PORT: wholeNumber(),
    HOST: z.string().optional(),
    CITIZENS: wholeNumber(),
    SEED: wholeNumber(),
  }),
);
const standIn = await startHousingFundStandIn({ database: env.DATABASE_FILE, ...setOnly({ port: env.PORT, host: env.HOST || undefined, citizens: env.CITIZENS, seed: env.SEED }) });
announceReady('housingFund-standin', standIn.url);
stopOnSignals(() => standIn.close());
