/** The gateway's pool of a department's instances: round-robin, out of rotation while not ready or unreachable, back when ready. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../core/http-fetch.ts';
import { createLogger } from '../../core/logger.ts';
import { createInstancePool, type InstancePool } from '../instances.ts';

const servers: Server[] = [];
let pool: InstancePool | undefined;
afterEach(async () => {
  pool?.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

/** An instance answering its name; `ready` decides its /readyz. */
async function instance(name: string, state: { ready: boolean }): Promise<string> {
  const s = createServer((req, res) => {
    if (req.url === '/readyz') return res.writeHead(state.ready ? 200 : 503).end();
    res.end(name);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

const lines: string[] = [];
const logger = createLogger({ service: 'gateway', level: 'info', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('instance pool', () => {
  it('spreads calls round-robin, skips an instance while its /readyz says not ready, and takes it back when ready', async () => {
    const a = { ready: true };
    const b = { ready: true };
    pool = createInstancePool({ name: 'population', urls: [await instance('a', a), await instance('b', b)], fetch: createHttpFetch(), logger, probeIntervalMs: 50 });
    const call = async () => (await pool!.fetch({ method: 'POST', body: '{}' })).text();
    expect(new Set(await Promise.all([call(), call(), call(), call()]))).toEqual(new Set(['a', 'b']));
    b.ready = false; // draining
    await wait(200);
    expect(await Promise.all([call(), call(), call(), call()])).toEqual(['a', 'a', 'a', 'a']);
    expect(lines.some((l) => /out of rotation/.test(l) && /readyz answered 503/.test(l))).toBe(true);
    b.ready = true;
    await wait(200);
    expect(new Set(await Promise.all([call(), call(), call(), call()]))).toEqual(new Set(['a', 'b']));
  });

  it('sends a call refused at connect (nothing sent) to the next instance', async () => {
    const up = await instance('up', { ready: true });
    const gone = await instance('gone', { ready: true });
    await new Promise((r) => servers.pop()!.close(r));
    pool = createInstancePool({ name: 'population', urls: [gone, up], fetch: createHttpFetch(), logger, probeIntervalMs: 0 });
    for (let i = 0; i < 4; i++) expect(await (await pool.fetch({ method: 'POST', body: '{}' })).text()).toBe('up');
    expect(pool.up()).toEqual([up]);
  });

  it('refuses to be built without an instance', () => {
    expect(() => createInstancePool({ name: 'population', urls: [], fetch: createHttpFetch(), logger })).toThrow(/at least one instance URL/);
  });
});
