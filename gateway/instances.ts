/**
 * Spreading a department's calls over its instances: round-robin over the instances that are up, an
 * instance taken out of rotation while it is unreachable or answers `/readyz` with anything but 200
 * (draining, store closed), and put back when a probe finds it ready again. A call refused at connect
 * (ECONNREFUSED: nothing was sent, so even a mutation is safe to send again) goes to the next instance.
 */
import type { HttpFetch, HttpFetchInit, HttpFetchResponse } from '../core/http-fetch.ts';
import type { Logger } from '../core/logger.ts';

/** Options of an instance pool. */
export interface InstancePoolOptions {
  /** The department, for logs. Required. */
  name: string;
  /** Base URLs of its instances (GraphQL endpoint each), at least one. Required. */
  urls: readonly string[];
  /** Fetch used for calls and probes. Required. */
  fetch: HttpFetch;
  /** Logs instances leaving and rejoining the rotation. Required. */
  logger: Logger;
  /** Probe period of `/readyz`, ms; 0 disables probing (instances then leave only on connect failures). Default 1000. */
  probeIntervalMs?: number;
}

/** A department's instances behind one fetch. */
export interface InstancePool {
  /** Sends the call to the next instance in rotation (the URL the planner passed is replaced). */
  fetch(init: HttpFetchInit): Promise<HttpFetchResponse>;
  /** Instance URLs now in rotation. */
  up(): string[];
  /** Stops probing. */
  close(): void;
}

/** Creates the pool of one department and starts probing its instances. */
export function createInstancePool(options: InstancePoolOptions): InstancePool {
  const { name, fetch, logger } = options;
  if (!options.urls?.length) throw new TypeError(`createInstancePool: ${name} needs at least one instance URL.`);
  const instances = options.urls.map((url) => ({ url, up: true, reason: '' }));
  let next = 0;
  const setUp = (i: (typeof instances)[number], up: boolean, reason: string) => {
    if (i.up === up) return;
    i.up = up;
    i.reason = reason;
    if (up) logger.info({ department: name, instance: i.url }, 'subgraph instance back in rotation');
    else logger.warn({ department: name, instance: i.url, reason }, 'subgraph instance out of rotation');
  };
  /** The instances to try, in order: those up from the round-robin position, then (when none is up) all. */
  const order = () => {
    const start = next++ % instances.length;
    const ring = instances.map((_, k) => instances[(start + k) % instances.length]!);
    const up = ring.filter((i) => i.up);
    return up.length ? up : ring;
  };
  const probeMs = options.probeIntervalMs ?? 1000;
  let probing = false;
  const probe = async () => {
    if (probing) return;
    probing = true;
    await Promise.all(
      instances.map(async (i) => {
        try {
          const r = await fetch(new URL('/readyz', i.url).href, { signal: AbortSignal.timeout(Math.max(200, probeMs)) });
          setUp(i, r.status === 200, `readyz answered ${r.status}`);
        } catch {
          setUp(i, false, 'unreachable');
        }
      }),
    );
    probing = false;
  };
  // One instance has nowhere else to go: it is never probed, only called.
  const timer = probeMs > 0 && instances.length > 1 ? setInterval(() => void probe(), probeMs) : null;
  timer?.unref();
  return {
    async fetch(init) {
      let last: unknown;
      for (const i of order()) {
        try {
          const r = await fetch(i.url, init);
          setUp(i, true, '');
          return r;
        } catch (e) {
          last = e;
          if ((e as NodeJS.ErrnoException)?.code !== 'ECONNREFUSED' || init.signal?.aborted) throw e;
          setUp(i, false, 'connection refused');
        }
      }
      throw last;
    },
    up: () => instances.filter((i) => i.up).map((i) => i.url),
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
