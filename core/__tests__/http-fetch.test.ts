import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../http-fetch.ts';
import { runInRequestScope } from '../request-scope.ts';

let server: Server;
let base: string;
const ports: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    if (req.url === '/big') return void res.end('x'.repeat(5000));
    if (req.url === '/missing') {
      res.writeHead(404, { 'x-a': 'b' });
      return void res.end('{"error":"none"}');
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'], length: req.headers['content-length'] })));
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

describe('httpFetch', () => {
  it('sends the method, headers and body with its length and reads the reply as text and JSON', async () => {
    const f = createHttpFetch();
    const r = await f(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"名":"王"}' });
    expect(r.ok).toBe(true);
    expect(await r.json()).toEqual({ method: 'POST', body: '{"名":"王"}', type: 'application/json', length: String(Buffer.byteLength('{"名":"王"}')) });
  });

  it('reuses one kept-alive connection for calls in sequence', async () => {
    const f = createHttpFetch();
    ports.length = 0;
    await f(`${base}/a`);
    // undici hands a connection back one turn of the event loop after its answer (against servers that close it anyway).
    await new Promise((r) => setImmediate(r));
    await f(`${base}/b`);
    await new Promise((r) => setImmediate(r));
    await f(`${base}/c`);
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
  });

  it('keeps at most maxSockets connections to an origin, queueing the rest', async () => {
    const f = createHttpFetch({ maxSockets: 2 });
    ports.length = 0;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => f(`${base}/q${i}`).then((r) => r.json())));
    expect(answers).toHaveLength(6);
    expect(new Set(ports).size).toBeLessThanOrEqual(2);
  });

  it('sends a byte body as it is and joins a repeated response header as fetch does', async () => {
    const echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('x-many', ['a', 'b']);
        res.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const gbk = Uint8Array.from([0xd5, 0xc5, 0xc8, 0xfd]);
      const r = await createHttpFetch()(`http://127.0.0.1:${(echo.address() as AddressInfo).port}/`, { method: 'POST', body: gbk });
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(gbk);
      expect(r.headers.get('X-Many')).toBe('a, b');
      expect(r.headers.get('x-none')).toBeNull();
    } finally {
      await new Promise<void>((r) => (echo.closeAllConnections(), echo.close(() => r())));
    }
  });

  it('rejects a refused connection with ECONNREFUSED, which the gateway\'s instance pools read as "nothing was sent"', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(createHttpFetch()(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reports a non-2xx answer as not ok with its status and headers, without throwing', async () => {
    const r = await createHttpFetch()(`${base}/missing`);
    expect([r.ok, r.status, r.headers.get('X-A')]).toEqual([false, 404, 'b']);
  });

  it('rejects with the signal\'s reason when aborted mid-call, and closes that connection', async () => {
    const controller = new AbortController();
    const closed = new Promise<void>((resolve) => server.once('request', (req) => req.socket.once('close', () => resolve())));
    const call = createHttpFetch()(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 50);
    await expect(call).rejects.toThrow('gave up');
    await closed;
  });

  it('rejects at once with the reason of a signal already aborted, and sends nothing', async () => {
    ports.length = 0;
    await expect(createHttpFetch()(`${base}/x`, { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
    await new Promise((r) => setTimeout(r, 20));
    expect(ports).toHaveLength(0);
  });

  it('refuses a reply longer than its limit', async () => {
    await expect(createHttpFetch({ maxResponseBytes: 1000 })(`${base}/big`)).rejects.toThrow(/exceeds 1000 bytes/);
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(createHttpFetch()('file:///etc/passwd')).rejects.toThrow(/Only http and https/);
    // A malformed URL is a rejection too, never a throw out of the call.
    await expect(createHttpFetch()('not a url')).rejects.toThrow(TypeError);
  });
});

describe('httpFetch inside a request', () => {
  it('continues the request\'s W3C trace on the outgoing call with a new span id, unless the caller set one', async () => {
    const seen: Array<string | undefined> = [];
    const echo = createServer((req, res) => {
      seen.push(req.headers.traceparent as string | undefined);
      res.end('ok');
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
    const fetcher = createHttpFetch();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await runInRequestScope({ deadline: Date.now() + 1000, traceId }, async () => {
      await fetcher(url);
      await fetcher(url, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    });
    await fetcher(url);
    await new Promise<void>((r) => (echo.closeAllConnections(), echo.close(() => r())));
    expect(seen[0]).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(seen[0]).not.toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(seen[1]).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(seen[2]).toBeUndefined();
  });
});
