/**
 * Process entry of the enterprise registry stand-in: `node adapters/marketRegulation/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, ENTERPRISES).
 */
import { startMarketRegulationStandIn, type MarketRegulationStandInOptions } from './index.ts';

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`Environment variable ${name} must be a whole number, got "${raw}".`);
  return Number(raw);
}

const options: MarketRegulationStandInOptions = {};
const port = intFromEnv('PORT');
const latencyMs = intFromEnv('LATENCY_MS');
const enterprises = intFromEnv('ENTERPRISES');
if (port !== undefined) options.port = port;
if (latencyMs !== undefined) options.latencyMs = latencyMs;
if (enterprises !== undefined) options.enterprises = enterprises;
if (process.env.HOST) options.host = process.env.HOST;

const standIn = await startMarketRegulationStandIn(options);
process.stdout.write(`${JSON.stringify({ service: 'marketRegulation-standin', url: standIn.url })}\n`);
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
