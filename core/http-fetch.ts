/**
 * A small fetch for service-to-service calls (gateway → subgraphs, adapters → legacy systems) on
 * node:http with pooled keep-alive connections. Node's global fetch (undici) costs about 0.5 ms of CPU
 * more per call in its web-streams machinery; on a request that makes four such calls, that was the
 * largest single cost after the legacy protocols themselves. It covers only what those callers use:
 * one request with a string or byte body, an abort signal, and a fully buffered response.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { outgoingTraceparent } from './request-scope.ts';

/** What a call may carry; the subset of fetch's RequestInit the callers use. */
export interface HttpFetchInit {
  /** Default GET. */
  method?: string;
  /** Header names to values. */
  headers?: Record<string, string>;
  /** Request body; its length is sent as content-length. */
  body?: string | Uint8Array;
  /** Aborts the call (connection included), rejecting with an AbortError. */
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

/** Creates a fetch with its own connection pools (one for http, one for https). */
export function createHttpFetch(options: HttpFetchOptions = {}): HttpFetch {
  const agentOptions = { keepAlive: true, timeout: options.idleTimeoutMs ?? 4000, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const maxResponse = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);

  return (url, init = {}) =>
    new Promise<HttpFetchResponse>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') return reject(new TypeError(`Only http and https URLs can be fetched, not ${target.protocol}`));
      const signal = init.signal;
      if (signal?.aborted) return reject(abortError(signal));
      const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
      const headers: Record<string, string | number> = { ...init.headers };
      // A call made for a request continues its trace (W3C), legacy systems included, unless the caller set one.
      const traceparent = Object.keys(headers).some((k) => k.toLowerCase() === 'traceparent') ? undefined : outgoingTraceparent();
      if (traceparent) headers.traceparent = traceparent;
      if (body !== undefined) headers['content-length'] = body.byteLength;
      const send = secure ? httpsRequest : httpRequest;
      const req = send(target, { method: init.method ?? 'GET', headers, agent: secure ? https : http, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // A runaway reply from a legacy system must not exhaust our memory.
          if (size > maxResponse) {
            req.destroy();
            reject(new Error(`The response exceeds ${maxResponse} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('The response was cut off before its end.')));
        res.on('end', () => resolve(new BufferedResponse(url, res, Buffer.concat(chunks))));
      });
      req.on('error', (e) => reject(signal?.aborted ? abortError(signal) : e));
      req.end(body);
    });
}

/** Decodes as fetch's `text()` does: a BOM is dropped, invalid sequences become U+FFFD. */
const UTF8 = new TextDecoder('utf-8');

/** The process's shared instance. */
export const httpFetch: HttpFetch = createHttpFetch();

class BufferedResponse implements HttpFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly url: string;
  private readonly bytes: Buffer;

  constructor(url: string, res: IncomingMessage, bytes: Buffer) {
    this.url = url;
    this.bytes = bytes;
    this.status = res.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status <= 299;
    this.statusText = res.statusMessage ?? '';
    this.headers = new HeaderView(res.headers);
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
  private readonly raw: IncomingHttpHeaders;
  constructor(raw: IncomingHttpHeaders) {
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
