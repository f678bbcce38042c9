/**
 * In-flight deduplication: calls with the same key made while the first is still running share its
 * result; nothing is kept once it settles (this is not a cache). The key must name everything the
 * answer depends on, the caller's identity first, so that one principal's data never reaches another.
 */
import type { HttpFetch, HttpFetchInit, HttpFetchResponse } from './http-fetch.ts';

/** Shares the promise of a running call among callers with the same key. */
export class InflightDedup<T> {
  private readonly running = new Map<string, Promise<T>>();
  /** Calls that joined one already running (for metrics and tests). */
  joined = 0;

  /** Runs `fn`, or joins the call with the same `key` that is already running. */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const known = this.running.get(key);
    if (known) {
      this.joined++;
      return known;
    }
    const p = fn().finally(() => {
      if (this.running.get(key) === p) this.running.delete(key);
    });
    this.running.set(key, p);
    return p;
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
    // A sharer's abort must not cancel the others' call: the shared call runs without a signal, and each
    // caller stops waiting when its own signal aborts.
    const call = dedup.run(key, () => fetch(url, { ...init, signal: undefined }));
    return init.signal ? untilAborted(call, init.signal) : call;
  };
  return Object.assign(shared, { dedup });
}

/** `p`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
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
