/**
 * Process entry of the enterprise registry stand-in: `node adapters/marketRegulation/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, ENTERPRISES).
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startMarketRegulationStandIn } from './index.ts';

const env = readConfig(z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber(), ENTERPRISES: wholeNumber() }));
const standIn = await startMarketRegulationStandIn(setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS, enterprises: env.ENTERPRISES }));
announceReady('marketRegulation-standin', standIn.url);
stopOnSignals(() => standIn.close());
