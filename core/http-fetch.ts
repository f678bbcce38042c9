/**
 * A small fetch for service-to-service calls (gateway → subgraphs, adapters → legacy systems) on
 * undici's dispatcher (`Agent.dispatch`) with pooled keep-alive connections. Node's global fetch (undici
 * under web streams) cost about 0.5 ms of CPU more per call, and this fetch on node:http's ClientRequest
 * 110–146 µs of the caller's CPU a call over loopback against 49–53 µs on the dispatcher
 * (docs/BENCHMARKS.md): a dashboard makes eleven such calls. It covers only what those callers use: one
 * request with a string or byte body, an abort signal, and a fully buffered response.
 */
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import { outgoingTraceparent } from './request-scope.ts';

/** What a call may carry; the subset of fetch's RequestInit the callers use. */
export interface HttpFetchInit {
  /** Default GET. */
  method?: string;
  /** Header names to values. */
  headers?: Record<string, string>;
  /** Request body; its length is sent as content-length. */
  body?: string | Uint8Array;
  /** Aborts the call (connection included), rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** A response whose body has already been read; the subset of fetch's Response the callers use. */
export interface HttpFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A fetch-like function. */
export type HttpFetch = (url: string, init?: HttpFetchInit) => Promise<HttpFetchResponse>;

/** Options of createHttpFetch. */
export interface HttpFetchOptions {
  /** Idle pooled connections are closed after this many ms (less than the servers' keep-alive). Default 4000, as undici. */
  idleTimeoutMs?: number;
  /** Connections per origin at most; further calls queue. Default 64. */
  maxSockets?: number;
  /** Largest response body buffered; a longer one is cut off with an error. Default 16 MiB. */
  maxResponseBytes?: number;
}

/** Creates a fetch with its own connection pools (one per origin, http and https). */
export function createHttpFetch(options: HttpFetchOptions = {}): HttpFetch {
  const maxResponse = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const idle = options.idleTimeoutMs ?? 4000;
  // No pipelining: a call that fails mid-way must not take the calls queued behind it on the same connection.
  // Idle connections are kept at most `idle` ms, whatever a server's keep-alive hint says.
  const agent = new Agent({ connections: options.maxSockets ?? 64, pipelining: 1, keepAliveTimeout: idle, keepAliveMaxTimeout: idle });

  return (url, init = {}) =>
    new Promise<HttpFetchResponse>((resolve, reject) => {
      // A malformed URL throws here, which rejects the promise.
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return reject(new TypeError(`Only http and https URLs can be fetched, not ${target.protocol}`));
      const signal = init.signal;
      if (signal?.aborted) return reject(abortError(signal));
      const headers: Record<string, string> = { ...init.headers };
      // A call made for a request continues its trace (W3C), legacy systems included, unless the caller set one.
      const traceparent = Object.keys(headers).some((k) => k.toLowerCase() === 'traceparent') ? undefined : outgoingTraceparent();
      if (traceparent) headers.traceparent = traceparent;
      const handler = new BufferingHandler(url, maxResponse, signal, resolve, reject);
      agent.dispatch({ origin: target.origin, path: `${target.pathname}${target.search}`, method: (init.method ?? 'GET') as Dispatcher.HttpMethod, headers, body: init.body ?? null }, handler);
    });
}

/** The process's shared instance. */
export const httpFetch: HttpFetch = createHttpFetch();

/** Decodes as fetch's `text()` does: a BOM is dropped, invalid sequences become U+FFFD. */
const UTF8 = new TextDecoder('utf-8');

/** Reads one response into memory, and ties the call to its abort signal. */
class BufferingHandler implements Dispatcher.DispatchHandler {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private statusText = '';
  private headers: Record<string, string | string[] | undefined> = {};
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private readonly url: string;
  private readonly maxResponse: number;
  private readonly signal: AbortSignal | undefined;
  private readonly resolve: (r: HttpFetchResponse) => void;
  private readonly reject: (e: unknown) => void;
  private readonly onAbort: (() => void) | undefined;

  constructor(url: string, maxResponse: number, signal: AbortSignal | undefined, resolve: (r: HttpFetchResponse) => void, reject: (e: unknown) => void) {
    this.url = url;
    this.maxResponse = maxResponse;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
    if (signal) {
      this.onAbort = () => this.fail(abortError(signal));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while it waited for a connection: the request is not sent.
    if (this.settled) controller.abort(new Error('The call was given up.'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusText: string): void {
    this.status = statusCode;
    this.statusText = statusText;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    // A runaway reply from a legacy system must not exhaust our memory.
    if (this.size > this.maxResponse) return this.fail(new Error(`The response exceeds ${this.maxResponse} bytes.`));
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort!);
    this.resolve(new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  /** Rejects once, and gives the connection up (undici closes it) when the call is still running. */
  private fail(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort!);
    this.reject(e);
    this.controller?.abort(e instanceof Error ? e : new Error('The call was given up.'));
  }
}

class BufferedResponse implements HttpFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly url: string;
  private readonly bytes: Buffer;

  constructor(url: string, status: number, statusText: string, headers: Record<string, string | string[] | undefined>, bytes: Buffer) {
    this.url = url;
    this.bytes = bytes;
    this.status = status;
    this.ok = status >= 200 && status <= 299;
    this.statusText = statusText;
    this.headers = new HeaderView(headers);
  }

  async text(): Promise<string> {
    return UTF8.decode(this.bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer;
  }
}

/** fetch's `headers.get`: case-insensitive, repeated values joined with ", ". */
class HeaderView {
  private readonly raw: Record<string, string | string[] | undefined>;
  constructor(raw: Record<string, string | string[] | undefined>) {
    this.raw = raw;
  }

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
