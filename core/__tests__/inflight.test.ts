import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../http-fetch.ts';
import { dedupFetch, InflightDedup } from '../inflight.ts';

describe('InflightDedup', () => {
  it('lets calls with one key share the running call, and forgets it once settled', async () => {
    const d = new InflightDedup<number>();
    let calls = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++calls), 20));
    const [a, b] = await Promise.all([d.run('k', slow), d.run('k', slow)]);
    expect([a, b, calls, d.joined, d.size]).toEqual([1, 1, 1, 1, 0]);
    expect(await d.run('k', slow)).toBe(2);
  });

  it('gives every sharer the same rejection and keeps nothing after it', async () => {
    const d = new InflightDedup<number>();
    const fail = () => new Promise<number>((_, j) => setTimeout(() => j(new Error('down')), 10));
    const results = await Promise.allSettled([d.run('k', fail), d.run('k', fail)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(d.size).toBe(0);
  });
});

describe('dedupFetch', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits++;
        // Answers after a pause, naming the caller it was asked by.
        setTimeout(() => res.end(JSON.stringify({ who: req.headers['x-who'], body, hit: hits })), 30);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const make = () => dedupFetch(createHttpFetch(), { identityOf: (init) => init.headers?.['x-who'] ?? null });
  const post = (f: ReturnType<typeof make>, who: string | undefined, body: string, signal?: AbortSignal) =>
    f(url, { method: 'POST', headers: who ? { 'x-who': who } : {}, body, signal }).then((r) => r.json() as Promise<{ who: string; hit: number }>);

  it('sends one call for identical queries of one principal in flight, each reading the whole answer', async () => {
    const f = make();
    const before = hits;
    const [a, b, c] = await Promise.all([post(f, 'alice', '{q}'), post(f, 'alice', '{q}'), post(f, 'alice', '{q}')]);
    expect(hits - before).toBe(1);
    expect(a).toEqual(b);
    expect(c.who).toBe('alice');
    expect(f.dedup.joined).toBe(2);
  });

  it('never shares an answer between two principals asking the same at the same moment', async () => {
    const f = make();
    const before = hits;
    const [a, b] = await Promise.all([post(f, 'alice', '{q}'), post(f, 'bob', '{q}')]);
    expect(hits - before).toBe(2);
    expect([a.who, b.who]).toEqual(['alice', 'bob']);
    expect(f.dedup.joined).toBe(0);
  });

  it('never shares different bodies, nor calls without an identity', async () => {
    const f = make();
    const before = hits;
    await Promise.all([post(f, 'alice', '{a}'), post(f, 'alice', '{b}'), post(f, undefined, '{q}'), post(f, undefined, '{q}')]);
    expect(hits - before).toBe(4);
  });

  it('lets one sharer give up on its own deadline while the others get the answer', async () => {
    const f = make();
    const ac = new AbortController();
    const first = post(f, 'carol', '{q}');
    const second = post(f, 'carol', '{q}', ac.signal);
    ac.abort(new Error('deadline'));
    await expect(second).rejects.toThrow('deadline');
    expect((await first).who).toBe('carol');
  });
});
