/**
 * Failure handling shared by every adapter: a timeout on each call, jittered retries for idempotent
 * reads only, a circuit breaker and a concurrency limit, all bounded by the request's deadline.
 * Written by hand (about 200 lines) because the breaker, limiter, retry and deadline must share one
 * error vocabulary (core/errors) and one clock for tests.
 */
import { CityGraphError, ErrorCode, isCityGraphError } from '../../core/errors.ts';
import { breakerState, legacyCallDuration, legacyRetries } from '../../core/metrics.ts';
import { currentRequestScope, runInRequestScope } from '../../core/request-scope.ts';
import { endSpan, SpanKind, startSpan } from '../../core/tracing.ts';

/** Options of a legacy caller; every one has a default written beside it. */
export interface ResilienceOptions {
  /** Department name used in error messages and extensions, e.g. `population`. Required. */
  department: string;
  /** Milliseconds before one attempt is abandoned with ADAPTER_TIMEOUT. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent reads after a timeout or transport failure. Default 2. */
  retries?: number;
  /** Base backoff in ms; attempt n waits a random time in [0, base·2^n). Default 50. */
  backoffMs?: number;
  /** Consecutive failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** Milliseconds the breaker stays open before one trial call is let through. Default 5000. */
  breakerCooldownMs?: number;
  /** Calls in flight at once towards this system; further calls wait their turn. Default 8. */
  concurrency?: number;
}

/** One call's context: an abort signal to honour and whether the call may be retried. */
export interface AttemptContext {
  signal: AbortSignal;
  attempt: number;
}

/** What `call` needs to know about the operation. */
export interface CallOptions {
  /** Only reads are idempotent; a mutation is never retried (a retry could apply it twice). */
  idempotent: boolean;
  /**
   * Epoch ms after which the call is abandoned with ADAPTER_TIMEOUT, retries and queueing included.
   * Default: the deadline of the request being served (core/request-scope), none outside a request.
   */
  deadline?: number;
}

type BreakerState = 'closed' | 'open' | 'half-open';

/** Codes that mean the system answered: never retried here, never counted by the breaker. */
const ANSWERS: ReadonlySet<string> = new Set([
  ErrorCode.LEGACY_ERROR, ErrorCode.ADAPTER_BAD_REPLY, ErrorCode.ADAPTER_RATE_LIMITED,
  ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.BAD_USER_INPUT,
]);

/** A caller that wraps every request to one legacy system. */
export class LegacyCaller {
  readonly department: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly breakerThreshold: number;
  private readonly breakerCooldownMs: number;
  private readonly concurrency: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private failures = 0;
  private state: BreakerState = 'closed';
  private openedAt = 0;

  constructor(options: ResilienceOptions) {
    if (!options || typeof options.department !== 'string' || options.department === '') {
      throw new TypeError('LegacyCaller needs options.department, the name of the legacy system\'s department.');
    }
    this.department = options.department;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 2000);
    this.retries = nonNegative('retries', options.retries ?? 2);
    this.backoffMs = nonNegative('backoffMs', options.backoffMs ?? 50);
    this.breakerThreshold = positive('breakerThreshold', options.breakerThreshold ?? 5);
    this.breakerCooldownMs = nonNegative('breakerCooldownMs', options.breakerCooldownMs ?? 5000);
    this.concurrency = positive('concurrency', options.concurrency ?? 8);
    breakerState.set({ department: this.department }, 0);
  }

  /** Current breaker state, for metrics and tests. */
  get breaker(): BreakerState {
    return this.state;
  }

  /**
   * Runs `fn` under the limit, breaker and timeout. Errors thrown by `fn` should already be
   * CityGraphErrors (LEGACY_ERROR, ADAPTER_BAD_REPLY…); anything else counts as unavailable.
   */
  async call<T>(fn: (ctx: AttemptContext) => Promise<T>, options: CallOptions): Promise<T> {
    const started = performance.now();
    const scope = currentRequestScope();
    const span = scope?.span ? startSpan(`legacy ${this.department}`, SpanKind.CLIENT, scope.span, { 'citygraph.department': this.department }) : undefined;
    try {
      // The legacy call's own requests (core/http-fetch) are children of this span.
      const result = await (span && scope ? runInRequestScope({ ...scope, span }, () => this.run(fn, options)) : this.run(fn, options));
      legacyCallDuration.observe({ department: this.department, outcome: 'ok' }, (performance.now() - started) / 1000);
      endSpan(span);
      return result;
    } catch (e) {
      const code = isCityGraphError(e) ? e.code : 'INTERNAL';
      legacyCallDuration.observe({ department: this.department, outcome: code }, (performance.now() - started) / 1000);
      endSpan(span, code);
      throw e;
    }
  }

  private async run<T>(fn: (ctx: AttemptContext) => Promise<T>, options: CallOptions): Promise<T> {
    this.checkBreaker();
    const deadline = options.deadline ?? currentRequestScope()?.deadline ?? Number.POSITIVE_INFINITY;
    await this.acquire(deadline);
    try {
      const attempts = options.idempotent ? this.retries + 1 : 1;
      let lastError: CityGraphError | undefined;
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) {
          const pause = Math.random() * this.backoffMs * 2 ** (attempt - 1);
          // No retry that could not finish before the deadline: the answer is already late.
          if (Date.now() + pause >= deadline) break;
          await sleep(pause);
        }
        const left = deadline - Date.now();
        if (left <= 0) break;
        if (attempt > 0) legacyRetries.inc({ department: this.department });
        try {
          const result = await this.attempt(fn, attempt, Math.min(this.timeoutMs, left), left < this.timeoutMs);
          this.onSuccess();
          return result;
        } catch (e) {
          lastError = this.classify(e);
          // A business error is an answer: the system is up, and asking again changes nothing.
          // So is a 429 (the caller decides whether to wait it out) and a refusal (NOT_FOUND, CONFLICT, BAD_USER_INPUT).
          if (ANSWERS.has(lastError.code)) {
            this.onSuccess();
            throw lastError;
          }
        }
      }
      // Out of time before the first attempt is no fault of the legacy system: the breaker does not count it.
      if (!lastError) throw this.deadlineError();
      this.onFailure();
      throw lastError;
    } finally {
      this.release();
    }
  }

  private async attempt<T>(fn: (ctx: AttemptContext) => Promise<T>, attempt: number, timeoutMs: number, byDeadline: boolean): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Settle as a timeout first: a call that rejects synchronously on abort must not win the race as "unavailable".
        reject(byDeadline ? this.deadlineError() : new CityGraphError(ErrorCode.ADAPTER_TIMEOUT, `The ${this.department} system did not answer within ${this.timeoutMs} ms.`, { department: this.department }));
        controller.abort();
      }, timeoutMs);
    });
    try {
      return await Promise.race([fn({ signal: controller.signal, attempt }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private deadlineError(): CityGraphError {
    return new CityGraphError(ErrorCode.ADAPTER_TIMEOUT, `The ${this.department} system did not answer within the request's deadline.`, {
      department: this.department,
      details: { deadline: true },
    });
  }

  private classify(e: unknown): CityGraphError {
    if (isCityGraphError(e)) return e;
    return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, `The ${this.department} system could not be reached.`, {
      department: this.department,
      cause: e,
    });
  }

  private checkBreaker(): void {
    if (this.state === 'open') {
      if (Date.now() - this.openedAt >= this.breakerCooldownMs) {
        this.setState('half-open');
        return;
      }
      throw new CityGraphError(
        ErrorCode.DEPARTMENT_UNAVAILABLE,
        `The ${this.department} system is failing; calls are paused for a few seconds (circuit breaker open).`,
        { department: this.department },
      );
    }
  }

  private onSuccess(): void {
    this.failures = 0;
    if (this.state !== 'closed') this.setState('closed');
  }

  private setState(state: BreakerState): void {
    this.state = state;
    breakerState.set({ department: this.department }, state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
  }

  private onFailure(): void {
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.breakerThreshold) {
      this.setState('open');
      this.openedAt = Date.now();
    }
  }

  private acquire(deadline: number): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiting.push(turn);
      if (Number.isFinite(deadline)) {
        // A call still queued at its deadline leaves the queue: waiting longer cannot help its request.
        timer = setTimeout(() => {
          const i = this.waiting.indexOf(turn);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(this.deadlineError());
        }, Math.max(0, deadline - Date.now()));
      }
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`LegacyCaller option ${name} must be a positive number, got ${String(v)}.`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new TypeError(`LegacyCaller option ${name} must be zero or more, got ${String(v)}.`);
  return v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
