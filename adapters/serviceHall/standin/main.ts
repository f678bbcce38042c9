/**
 * Process entry of the service hall stand-in. The only place that reads its environment: PORT, HOST,
 * LATENCY_MS, TOKEN_TTL_MS, CASES, and CITYGRAPH_CLOCK (the hall's clock, the same setting as the city's).
 */
import { clockFromSetting } from '../../../core/clock.ts';
import { startServiceHallStandIn, type ServiceHallStandInOptions } from './index.ts';

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`Environment variable ${name} must be a whole number, got "${raw}".`);
  return Number(raw);
}

const options: ServiceHallStandInOptions = { now: clockFromSetting(process.env.CITYGRAPH_CLOCK) };
for (const [key, name] of [['port', 'PORT'], ['latencyMs', 'LATENCY_MS'], ['tokenTtlMs', 'TOKEN_TTL_MS'], ['cases', 'CASES']] as const) {
  const v = intFromEnv(name);
  if (v !== undefined) options[key] = v;
}
if (process.env.HOST) options.host = process.env.HOST;

const standIn = await startServiceHallStandIn(options);
process.stdout.write(`${JSON.stringify({ service: 'serviceHall-standin', url: standIn.url })}\n`);
if (process.send) process.send({ ready: standIn.url, node: process.version });

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  standIn.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.send) process.on('disconnect', shutdown);
