/**
 * Process entry of the population stand-in: `node adapters/population/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, CITIZENS, SEED, SECRET).
 */
import { startPopulationStandIn, type PopulationStandInOptions } from './index.ts';

/** Reads an optional integer variable, refusing anything that is not one. */
function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`Environment variable ${name} must be a whole number, got "${raw}".`);
  return Number(raw);
}

const options: PopulationStandInOptions = {};
const port = intFromEnv('PORT');
const latencyMs = intFromEnv('LATENCY_MS');
const citizens = intFromEnv('CITIZENS');
const seed = intFromEnv('SEED');
if (port !== undefined) options.port = port;
if (latencyMs !== undefined) options.latencyMs = latencyMs;
if (citizens !== undefined) options.citizens = citizens;
if (seed !== undefined) options.seed = seed;
if (process.env.HOST) options.host = process.env.HOST;
if (process.env.SECRET) options.secret = process.env.SECRET;

const standIn = await startPopulationStandIn(options);
process.stdout.write(`${JSON.stringify({ service: 'population-standin', url: standIn.url })}\n`);
// A parent that forked us over IPC (tests, scripts/start) learns the URL without parsing stdout.
if (process.send) process.send({ ready: standIn.url, node: process.version });

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  standIn.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// A forked stand-in must not outlive the parent that started it.
if (process.send) process.on('disconnect', shutdown);
