/**
 * The in-memory rate limiter keeps a record per caller with a timer that lives the whole window. Node
 * keeps the async context a timer was made in until it fires, so a record made during a request must
 * not keep that request's scope (and what it reaches) alive for a minute: under many callers that was
 * thousands of requests' worth of the gateway's heap.
 */
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HttpRefusal } from '../../core/graphql-http.ts';
import { createLogger } from '../../core/logger.ts';
import type { Principal } from '../../core/principal.ts';
import { currentRequestScope, outsideRequestScope, runInRequestScope, type RequestScope } from '../../core/request-scope.ts';
import { createLimitResolver } from '../limits/options.ts';
import { createRateLimiter } from '../rate-limit.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const citizen = (sub: string): Principal => ({ sub, role: 'citizen', department: null, scopes: [], onBehalfOf: null, client: null });
const logger = createLogger({ service: 'gateway', level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** Collects garbage until nothing more goes (finalisation of weak references needs a turn or two). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

describe('rate limits and request scopes', () => {
  it('a caller\'s record does not keep the request that made it alive', async () => {
    const limiter = createRateLimiter({ logger });
    const limits = createLimitResolver({ default: { principalRate: { points: 2, durationSec: 60 }, clientRate: { points: 1000, durationSec: 60 } } });
    // Each request in a function of its own, so that nothing of it lingers in the test's own frame.
    const oneRequest = async (i: number): Promise<WeakRef<RequestScope>> => {
      // A scope reaching something sizeable, as a real request's does (its signal, its listeners, its span).
      const payload = new Array<number>(1000).fill(i);
      const scope: RequestScope = { deadline: Date.now() + 10_000, requestId: `r${i}`, atEnd: [() => void payload.fill(0)] };
      const who = { ...citizen(`c${i}`), client: 'app' };
      await runInRequestScope(scope, () => limiter.consume(who, limits(who), '127.0.0.1'));
      return new WeakRef(scope);
    };
    const scopes: WeakRef<RequestScope>[] = [];
    for (let i = 0; i < 200; i++) scopes.push(await oneRequest(i));
    await collect();
    expect(scopes.filter((s) => s.deref() !== undefined)).toHaveLength(0);

    // The limits still hold, in and out of a request: the third request of one caller in a minute is refused.
    const who = citizen('c0');
    await runInRequestScope({ deadline: Date.now() + 10_000 }, () => limiter.consume(who, limits(who), '127.0.0.1'));
    const third = await runInRequestScope({ deadline: Date.now() + 10_000 }, () => limiter.consume(who, limits(who), '127.0.0.1')).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(HttpRefusal);
    expect((third as HttpRefusal).status).toBe(429);
    await limiter.close();
  });

  it('outsideRequestScope runs without the scope, and so do the timers it sets', async () => {
    const scope: RequestScope = { deadline: Date.now() + 1000 };
    const seen = await runInRequestScope(scope, () =>
      outsideRequestScope(() => new Promise<[RequestScope | undefined, RequestScope | undefined]>((resolve) => {
        const now = currentRequestScope();
        setTimeout(() => resolve([now, currentRequestScope()]), 1);
      })),
    );
    expect(seen).toEqual([undefined, undefined]);
    // Back in the request, its scope is there again.
    expect(runInRequestScope(scope, () => (outsideRequestScope(() => 1), currentRequestScope()))).toBe(scope);
  });
});
