/**
 * Redis down: rate limits fall back to each gateway's memory with a warning, nothing else stops, and
 * they go back to the shared counters when Redis returns. Redis is cut by a proxy this test owns.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRefusal } from '../../core/graphql-http.ts';
import { createLogger } from '../../core/logger.ts';
import type { Principal } from '../../core/principal.ts';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.ts';
import { createLimitResolver } from '../limits/options.ts';
import { createRateLimiter } from '../rate-limit.ts';

let proxy: TcpProxy;
beforeAll(async () => {
  proxy = await startTcpProxy('127.0.0.1', 6379);
});
afterAll(() => proxy?.close());

const citizen = (sub: string): Principal => ({ sub, role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null });
const limits = createLimitResolver({ default: { principalRate: { points: 3, durationSec: 60 } } });

/** How many of `n` requests of `sub` pass each limiter, in turn. */
async function passing(limiters: ReturnType<typeof createRateLimiter>[], sub: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await limiters[i % limiters.length]!.consume(citizen(sub), limits(citizen(sub)), '127.0.0.1');
      ok++;
    } catch (e) {
      if (!(e instanceof HttpRefusal) || e.status !== 429) throw e;
    }
  }
  return ok;
}

describe('rate limits when Redis goes down', () => {
  it('hold across gateways with Redis, per gateway (with a warning) without it, and shared again when it is back', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'gateway', level: 'warn', destination: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
    const prefix = `citygraph-test-rl-${process.pid}-${Date.now()}`;
    const url = `redis://127.0.0.1:${proxy.port}`;
    const a = createRateLimiter({ redisUrl: url, keyPrefix: prefix, logger });
    const b = createRateLimiter({ redisUrl: url, keyPrefix: prefix, logger });
    try {
      await new Promise((r) => setTimeout(r, 300));
      // Shared: 3 in a minute for the citizen, whichever gateway the request goes through.
      expect(await passing([a, b], 'shared', 8)).toBe(3);

      proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
      // Down: each gateway counts alone (3 each), nobody is refused for Redis itself, and it is said.
      expect(await passing([a, b], 'during-outage', 10)).toBe(6);
      expect(lines.some((l) => /rate-limit store \(Redis\) error; in-memory limits apply meanwhile/.test(l))).toBe(true);

      proxy.restore();
      // ioredis reconnects on its own (backoff up to 2 s).
      await new Promise((r) => setTimeout(r, 3000));
      expect(await passing([a, b], 'after', 8)).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});

