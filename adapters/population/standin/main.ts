/**
 * Process entry of the population stand-in: `node adapters/population/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, CITIZENS, SEED, SECRET).
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startPopulationStandIn } from './index.ts';

const env = readConfig(z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber(), CITIZENS: wholeNumber(), SEED: wholeNumber(), SECRET: z.string().optional() }));
const standIn = await startPopulationStandIn(setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS, citizens: env.CITIZENS, seed: env.SEED, secret: env.SECRET || undefined }));
announceReady('population-standin', standIn.url);
stopOnSignals(() => standIn.close());
