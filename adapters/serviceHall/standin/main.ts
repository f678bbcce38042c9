/**
 * Process entry of the service hall stand-in. The only place that reads its environment: PORT, HOST,
 * LATENCY_MS, TOKEN_TTL_MS, CASES, and CITYGRAPH_CLOCK / CITYGRAPH_CLOCK_FILE (the hall's clock, the same settings as the city's).
 */
import { z } from 'zod';
import { clockFromSetting, withClockFile } from '../../../core/clock.ts';
import { readConfig, setOnly, wholeNumber } from '../../../core/config.ts';
import { announceReady, stopOnSignals } from '../../../core/process.ts';
import { startServiceHallStandIn } from './index.ts';

const env = readConfig(
  z.object({ PORT: wholeNumber(), HOST: z.string().optional(), LATENCY_MS: wholeNumber(), TOKEN_TTL_MS: wholeNumber(), CASES: wholeNumber(), CITYGRAPH_CLOCK: z.string().optional(), CITYGRAPH_CLOCK_FILE: z.string().min(1).optional() }),
);
const standIn = await startServiceHallStandIn({
  now: withClockFile(clockFromSetting(env.CITYGRAPH_CLOCK), env.CITYGRAPH_CLOCK_FILE),
  ...setOnly({ port: env.PORT, host: env.HOST || undefined, latencyMs: env.LATENCY_MS, tokenTtlMs: env.TOKEN_TTL_MS, cases: env.CASES }),
});
announceReady('serviceHall-standin', standIn.url);
stopOnSignals(() => standIn.close());
