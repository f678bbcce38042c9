import { describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { legacyRetries } from '../../../core/metrics.ts';
import { runInRequestScope } from '../../../core/request-scope.ts';
import { LegacyCaller } from '../resilience.ts';

const hang = ({ signal }: { signal: AbortSignal }) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

/** citygraph_legacy_retries_total of `department` so far. */
async function retriesOf(department: string): Promise<number> {
  const metric = await legacyRetries.get();
  return metric.values.find((v) => v.labels.department === department)?.value ?? 0;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isCityGraphError(e) ? e.code : 'NOT_CODED';
  }
}

describe('LegacyCaller and the request deadline', () => {
  it('stops retrying at the deadline of the request being served: ADAPTER_TIMEOUT within it, not after three attempts', async () => {
    const caller = new LegacyCaller({ department: 'test', timeoutMs: 200, retries: 5, backoffMs: 1 });
    let attempts = 0;
    const started = Date.now();
    const code = await runInRequestScope({ deadline: Date.now() + 300 }, () => codeOf(caller.call((ctx) => (attempts++, hang(ctx)), { idempotent: true })));
    const ms = Date.now() - started;
    expect(code).toBe('ADAPTER_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(400);
    expect(attempts).toBe(2);
  });

  it('takes an explicit deadline over the request scope, and none outside a request', async () => {
    const caller = new LegacyCaller({ department: 'test', timeoutMs: 100, retries: 0 });
    const started = Date.now();
    expect(await codeOf(caller.call(hang, { idempotent: true, deadline: Date.now() + 30 }))).toBe('ADAPTER_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(90);
    const plain = Date.now();
    expect(await codeOf(caller.call(hang, { idempotent: true }))).toBe('ADAPTER_TIMEOUT');
    expect(Date.now() - plain).toBeGreaterThanOrEqual(95);
  });

  it('refuses at once, without calling, when the deadline has already passed', async () => {
    const caller = new LegacyCaller({ department: 'test' });
    let called = false;
    expect(await codeOf(caller.call(async () => (called = true), { idempotent: true, deadline: Date.now() - 1 }))).toBe('ADAPTER_TIMEOUT');
    expect(called).toBe(false);
  });

  it('lets a call queued behind the concurrency limit leave the queue at its deadline', async () => {
    const caller = new LegacyCaller({ department: 'test', concurrency: 1, timeoutMs: 1000, retries: 0 });
    const busy = caller.call(() => new Promise((r) => setTimeout(() => r('done'), 200)), { idempotent: true });
    const started = Date.now();
    expect(await codeOf(caller.call(async () => 'never', { idempotent: true, deadline: Date.now() + 50 }))).toBe('ADAPTER_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(150);
    expect(await busy).toBe('done');
    // The slot is free again: the queue did not lose it.
    expect(await caller.call(async () => 'next', { idempotent: true })).toBe('next');
  });

  it('answers DEPARTMENT_UNAVAILABLE at once while its breaker is open, and never retries a mutation', async () => {
    const caller = new LegacyCaller({ department: 'test', timeoutMs: 1000, retries: 2, backoffMs: 1, breakerThreshold: 2, breakerCooldownMs: 10_000 });
    let calls = 0;
    const down = async () => {
      calls++;
      throw new Error('ECONNREFUSED');
    };
    expect(await codeOf(caller.call(down, { idempotent: false }))).toBe('ADAPTER_UNAVAILABLE');
    expect(calls).toBe(1);
    const retriesBefore = await retriesOf('test');
    expect(await codeOf(caller.call(down, { idempotent: true }))).toBe('ADAPTER_UNAVAILABLE');
    expect(calls).toBe(4);
    // The two attempts made again are counted for operators (citygraph_legacy_retries_total); the first is not a retry.
    expect((await retriesOf('test')) - retriesBefore).toBe(2);
    expect(caller.breaker).toBe('open');
    const started = Date.now();
    expect(await codeOf(caller.call(down, { idempotent: true }))).toBe('DEPARTMENT_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(20);
    expect(calls).toBe(4);
  });
});
