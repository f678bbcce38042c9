/**
 * Process entry of the electronic licence library stand-in: `node adapters/licenceLibrary/standin/main.ts`.
 * The only place that reads its environment: PORT, HOST, LATENCY_MS, APP_KEY, APP_SECRET, and
 * CITYGRAPH_DATA_DIR (where the issuers' development keys are generated and kept).
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startLicenceLibraryStandIn } from './index.ts';

const env = readConfig(
  z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber(), APP_KEY: z.string().optional(), APP_SECRET: z.string().optional(), CITYGRAPH_DATA_DIR: z.string().optional() }),
);
const standIn = await startLicenceLibraryStandIn(
  setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS, appKey: env.APP_KEY || undefined, appSecret: env.APP_SECRET || undefined, dataDir: env.CITYGRAPH_DATA_DIR || undefined }),
);
announceReady('licenceLibrary-standin', standIn.url);
stopOnSignals(() => standIn.close());
