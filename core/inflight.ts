/**
 * In-flight deduplication: calls with the same key made while the first is still running share its
 * result; nothing is kept once it settles (this is not a cache). The key must name everything the
 * answer depends on, the caller's identity first, so that one principal's data never reaches another.
 */
import type { HttpFetch, HttpFetchInit, HttpFetchResponse } from './http-fetch.ts';

/** One running call and who still waits for it. */
interface Running<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers waiting with a signal of their own; Infinity once a caller without one joined (it never leaves). */
  waiters: number;
}

/**
 * Shares the promise of a running call among callers with the same key. A caller that passes a signal
 * stops waiting when it aborts; when the last caller has stopped waiting, the call itself is aborted
 * (the signal handed to `fn` fires) and forgotten, so a hung call is neither left running nor joined by
 * later callers.
 */
export class InflightDedup<T> {
  private readonly running = new Map<string, Running<T>>();
  /** Calls that joined one already running (for metrics and tests). */
  joined = 0;
  /** Calls aborted because every caller had stopped waiting (for metrics and tests). */
  abandoned = 0;

  /** Runs `fn`, or joins the call with the same `key` that is already running. */
  run(key: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.running.get(key);
    if (entry) this.joined++;
    else entry = this.start(key, fn);
    if (!signal) {
      entry.waiters = Infinity;
      return entry.promise;
    }
    entry.waiters++;
    const call = entry;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        reject(signal.reason);
        if (--call.waiters > 0) return;
        // Nobody waits any more: stop the call and let the next caller start a fresh one.
        if (this.running.get(key) === call) this.running.delete(key);
        this.abandoned++;
        call.controller.abort(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      call.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private start(key: string, fn: (signal: AbortSignal) => Promise<T>): Running<T> {
    const controller = new AbortController();
    let p: Promise<T>;
    try {
      p = fn(controller.signal);
    } catch (e) {
      p = Promise.reject(e);
    }
    const entry: Running<T> = {
      controller,
      waiters: 0,
      promise: p.finally(() => {
        if (this.running.get(key) === entry) this.running.delete(key);
      }),
    };
    // An abandoned call rejects with nobody left to hear it; that is expected, not an unhandled rejection.
    entry.promise.catch(() => {});
    this.running.set(key, entry);
    return entry;
  }

  /** Calls running now. */
  get size(): number {
    return this.running.size;
  }
}

/** Options of dedupFetch. */
export interface DedupFetchOptions {
  /**
   * The part of the key that names the caller, e.g. the principal token header; when it returns null the
   * call is never shared (no identity, or an identity whose every call must reach the service). Required.
   */
  identityOf: (init: HttpFetchInit) => string | null;
}

/**
 * A fetch that shares identical in-flight POSTs of one identity: same URL, same identity, same body.
 * Only for calls that change nothing (GraphQL queries): the caller decides, through
 * `identityOf` returning null, which may be shared. Each sharer gets the same buffered response, whose
 * body can be read any number of times.
 */
export function dedupFetch(fetch: HttpFetch, options: DedupFetchOptions): HttpFetch & { dedup: InflightDedup<HttpFetchResponse> } {
  if (typeof options?.identityOf !== 'function') throw new TypeError('dedupFetch needs options.identityOf, a function from the request to the caller identity or null.');
  const dedup = new InflightDedup<HttpFetchResponse>();
  const shared = (url: string, init: HttpFetchInit = {}) => {
    const identity = (init.method ?? 'GET').toUpperCase() === 'POST' && typeof init.body === 'string' ? options.identityOf(init) : null;
    if (identity === null) return fetch(url, init);
    // JSON of an array: no separator inside one part can make two different calls collide.
    const key = JSON.stringify([url, identity, init.body]);
    // A sharer's abort must not cancel the others' call: each caller stops waiting when its own signal
    // aborts, and the shared call is aborted only once none is left waiting.
    return dedup.run(key, (signal) => fetch(url, { ...init, signal }), init.signal);
  };
  return Object.assign(shared, { dedup });
}
