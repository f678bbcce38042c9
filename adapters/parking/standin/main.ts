/**
 * Process entry of the parking platform stand-in: `node adapters/parking/standin/main.ts`.
 * The only place that reads the environment (PORT, HOST, LATENCY_MS, RATE_LIMIT_PER_SECOND); prints one JSON line with the URL.
 */
import { startParkingStandIn } from './index.ts';

const standIn = await startParkingStandIn({
  port: numberFromEnv('PORT', 0),
  host: process.env.HOST ?? '127.0.0.1',
  latencyMs: numberFromEnv('LATENCY_MS', 0),
  rateLimitPerSecond: numberFromEnv('RATE_LIMIT_PER_SECOND', 200),
});
process.stdout.write(`${JSON.stringify({ service: 'parking-standin', url: standIn.url })}\n`);
// A parent that forked us waits for this instead of parsing stdout.
process.send?.({ ready: standIn.url, node: process.version });

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  standIn.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
// A forked stand-in must not outlive the parent that started it.
if (process.send) process.once('disconnect', shutdown);

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new TypeError(`${name} must be a number, got ${JSON.stringify(raw)}.`);
  return n;
}
