/**
 * Process entry of the parking platform stand-in: `node adapters/parking/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, RATE_LIMIT_PER_SECOND); prints one JSON line with the URL.
 */
import { z } from 'zod';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startParkingStandIn } from './index.ts';

const env = readConfig(z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber(), RATE_LIMIT_PER_SECOND: wholeNumber() }));
const standIn = await startParkingStandIn(setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS, rateLimitPerSecond: env.RATE_LIMIT_PER_SECOND }));
announceReady('parking-standin', standIn.url);
stopOnSignals(() => standIn.close());
