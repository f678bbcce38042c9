/**
 * Process entry of the housing fund stand-in: `node adapters/housingFund/standin/main.ts`.
 * The only place that reads the environment (DATABASE_FILE required; PORT, HOST, CITIZENS, SEED).
 */
import { startHousingFundStandIn, type HousingFundStandInOptions } from './index.ts';

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new TypeError(`Environment variable ${name} must be a whole number, got "${raw}".`);
  return Number(raw);
}

const database = process.env.DATABASE_FILE;
if (!database) throw new TypeError('DATABASE_FILE must name the SQLite file the stand-in creates (the front-end database).');
const options: HousingFundStandInOptions = { database };
const port = intFromEnv('PORT');
const citizens = intFromEnv('CITIZENS');
const seed = intFromEnv('SEED');
if (port !== undefined) options.port = port;
if (citizens !== undefined) options.citizens = citizens;
if (seed !== undefined) options.seed = seed;
if (process.env.HOST) options.host = process.env.HOST;

const standIn = await startHousingFundStandIn(options);
process.stdout.write(`${JSON.stringify({ service: 'housingFund-standin', url: standIn.url, database: standIn.database })}\n`);
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
