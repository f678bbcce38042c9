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

  // A call that never settles, whose signal is kept for the test to look at.
  const hung = () => {
    const seen: AbortSignal[] = [];
    const fn = (signal: AbortSignal) => {
      seen.push(signal);
      return new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    };
    return { seen, fn };
  };

  it('aborts the call once its only caller has stopped waiting, and starts afresh for the next', async () => {
    const d = new InflightDedup<number>();
    const { seen, fn } = hung();
    const ac = new AbortController();
    const first = d.run('k', fn, ac.signal);
    ac.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    expect(seen[0]!.aborted).toBe(true);
    expect([d.size, d.abandoned]).toEqual([0, 1]);
    // The next caller is not joined to the abandoned call: it starts its own.
    const second = d.run('k', () => Promise.resolve(7));
    expect(await second).toBe(7);
    expect(d.joined).toBe(0);
  });

  it('keeps the call running while any caller still waits', async () => {
    const d = new InflightDedup<number>();
    let signal: AbortSignal | undefined;
    let finish!: (v: number) => void;
    const fn = (s: AbortSignal) => {
      signal = s;
      return new Promise<number>((r) => (finish = r));
    };
    const early = new AbortController();
    const late = new AbortController();
    const a = d.run('k', fn, early.signal);
    const b = d.run('k', fn, late.signal);
    early.abort(new Error('first deadline'));
    await expect(a).rejects.toThrow('first deadline');
    expect(signal!.aborted).toBe(false);
    finish(5);
    expect(await b).toBe(5);
    expect([d.joined, d.abandoned]).toEqual([1, 0]);
  });

  it('never aborts a call a caller without a signal waits for', async () => {
    const d = new InflightDedup<number>();
    const { seen, fn } = hung();
    const ac = new AbortController();
    const withSignal = d.run('k', fn, ac.signal);
    void d.run('k', fn);
    ac.abort(new Error('deadline'));
    await expect(withSignal).rejects.toThrow('deadline');
    expect(seen[0]!.aborted).toBe(false);
    expect([d.size, d.abandoned]).toEqual([1, 0]);
  });

  it('refuses at once a caller whose signal has already aborted, starting nothing', async () => {
    const d = new InflightDedup<number>();
    let calls = 0;
    await expect(d.run('k', async () => ++calls, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect([calls, d.size]).toEqual([0, 0]);
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

  it('closes a hung shared call once every sharer has given up, and sends the next identical call afresh', async () => {
    let hang = true;
    const closed: number[] = [];
    let received = 0;
    const hanging = createServer((req, res) => {
      received++;
      req.resume();
      res.on('close', () => closed.push(received));
      if (!hang) res.end(JSON.stringify({ who: req.headers['x-who'], hit: received }));
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    try {
      const f = make();
      const ask = (signal: AbortSignal) =>
        f(hangingUrl, { method: 'POST', headers: { 'x-who': 'dave' }, body: '{q}', signal }).then((r) => r.json() as Promise<{ who: string; hit: number }>);
      const one = new AbortController();
      const two = new AbortController();
      const calls = [ask(one.signal), ask(two.signal)];
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toBe(1);
      one.abort(new Error('deadline one'));
      await expect(calls[0]).rejects.toThrow('deadline one');
      await new Promise((r) => setTimeout(r, 30));
      expect(closed).toEqual([]);
      two.abort(new Error('deadline two'));
      await expect(calls[1]).rejects.toThrow('deadline two');
      await expect.poll(() => closed.length).toBe(1);
      expect(f.dedup.abandoned).toBe(1);
      // The service recovers: the same question reaches it again instead of joining the dead call.
      hang = false;
      const answer = await ask(new AbortController().signal);
      expect(answer).toEqual({ who: 'dave', hit: 2 });
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });
});
