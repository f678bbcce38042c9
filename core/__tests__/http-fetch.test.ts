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
    await f(`${base}/b`);
    expect(ports).toHaveLength(2);
    expect(ports[0]).toBe(ports[1]);
  });

  it('reports a non-2xx answer as not ok with its status and headers, without throwing', async () => {
    const r = await createHttpFetch()(`${base}/missing`);
    expect([r.ok, r.status, r.headers.get('X-A')]).toEqual([false, 404, 'b']);
  });

  it('rejects with the signal\'s reason when aborted mid-call', async () => {
    const controller = new AbortController();
    const call = createHttpFetch()(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 50);
    await expect(call).rejects.toThrow('gave up');
  });

  it('refuses a reply longer than its limit', async () => {
    await expect(createHttpFetch({ maxResponseBytes: 1000 })(`${base}/big`)).rejects.toThrow(/exceeds 1000 bytes/);
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(createHttpFetch()('file:///etc/passwd')).rejects.toThrow(/Only http and https/);
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
