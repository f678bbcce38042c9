/** The launcher starts a service again when its port was held for a moment, and gives up when it stays taken. */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { launch } from '../lib/processes.ts';

const hold = (port: number) => new Promise<Server>((resolve) => { const s = createServer(); s.listen(port, '127.0.0.1', () => resolve(s)); });
const freePort = async () => { const s = await hold(0); const p = (s.address() as { port: number }).port; await new Promise((r) => s.close(r)); return p; };

describe('launch', () => {
  it('starts a service whose port is held for an instant, once the port is free again', async () => {
    const port = await freePort();
    const holder = await hold(port);
    setTimeout(() => holder.close(), 1500);
    const service = await launch({ name: 'parking-standin', entry: 'adapters/parking/standin/main.ts', env: { PORT: String(port) } });
    try {
      expect(service.url).toContain(`:${port}`);
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('kills a child that is not ready yet when its city gives up (no process is left behind)', async () => {
    const gaveUp = new AbortController();
    const starting = launch({ name: 'parking-standin', entry: 'adapters/parking/standin/main.ts', env: { PORT: '0' }, signal: gaveUp.signal });
    gaveUp.abort();
    await expect(starting).rejects.toThrow(/exited before it was ready \(code null, signal SIGKILL\)/);
  }, 60_000);

  it('fails with EADDRINUSE when the port stays taken', async () => {
    const port = await freePort();
    const holder = await hold(port);
    try {
      await expect(launch({ name: 'parking-standin', entry: 'adapters/parking/standin/main.ts', env: { PORT: String(port) } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      holder.close();
    }
  }, 60_000);
});
