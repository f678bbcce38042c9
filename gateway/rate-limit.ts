/**
 * Rate limits per principal and per client (rate-limiter-flexible): in memory for one gateway, in Redis
 * when several gateways share the load (REDIS_URL), with an in-memory limiter standing in while Redis
 * cannot be reached, so a Redis outage neither stops the gateway nor lifts the limits.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ErrorCode } from '../core/errors.ts';
import { HttpRefusal } from '../core/graphql-http.ts';
import { outsideRequestScope } from '../core/request-scope.ts';
import type { Logger } from '../core/logger.ts';
import { rateLimitRefusals } from '../core/metrics.ts';
import type { Principal } from '../core/principal.ts';
import type { RateLimit, ResolvedLimits } from './limits/options.ts';

/** Options of the rate limiter. */
export interface RateLimiterOptions {
  /** `redis://…` to share counters between gateways; default in memory. */
  redisUrl?: string;
  /** Prefix of the Redis keys. Default `citygraph:rl`. */
  keyPrefix?: string;
  logger: Logger;
}

/** Consumes one request of a principal; throws HttpRefusal 429 with Retry-After when a limit is spent. */
export interface GatewayRateLimiter {
  consume(principal: Principal, limits: ResolvedLimits, address: string): Promise<void>;
  close(): Promise<void>;
}

/** Creates the limiter; with `redisUrl` the connection is opened lazily and retried in the background. */
export function createRateLimiter(options: RateLimiterOptions): GatewayRateLimiter {
  const prefix = options.keyPrefix ?? 'citygraph:rl';
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
    : undefined;
  redis?.on('error', (e: Error) => options.logger.warn({ reason: e.message }, 'rate-limit store (Redis) error; in-memory limits apply meanwhile'));
  const limiters = new Map<string, RateLimiterAbstract>();

  const limiterFor = (scope: string, rate: RateLimit): RateLimiterAbstract => {
    const key = `${scope}:${rate.points}:${rate.durationSec}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      const base = { points: rate.points, duration: rate.durationSec, keyPrefix: `${prefix}:${key}` };
      limiter = redis ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: new RateLimiterMemory(base) }) : new RateLimiterMemory(base);
      limiters.set(key, limiter);
    }
    return limiter;
  };

  const take = async (scope: 'principal' | 'client', id: string, rate: RateLimit, role: string) => {
    try {
      // Outside the request's scope: the in-memory limiter sets a timer per key that lives the whole window.
      await outsideRequestScope(() => limiterFor(scope, rate).consume(id, 1));
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      rateLimitRefusals.inc({ scope, role });
      const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw new HttpRefusal(
        429,
        ErrorCode.RATE_LIMITED,
        `Too many requests for this ${scope === 'client' ? 'client application' : 'caller'}: at most ${rate.points} every ${rate.durationSec} s. Retry after ${retryAfter} s.`,
        { 'retry-after': String(retryAfter) },
        { scope, limit: rate.points, windowSec: rate.durationSec, retryAfterSec: retryAfter },
      );
    }
  };

  return {
    async consume(principal, limits, address) {
      // The principal first: one noisy user of a client should not spend the whole client's allowance.
      const who = principal.sub ? `${principal.role}:${principal.sub}` : `anonymous:${address}`;
      await take('principal', who, limits.principalRate, principal.role);
      if (principal.client) await take('client', principal.client, limits.clientRate, principal.role);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
