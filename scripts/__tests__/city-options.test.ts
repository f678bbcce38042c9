/** `npm start -- --instances N` refuses, before starting anything, what cannot work. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCity } from '../lib/city.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'citygraph-city-options-'));
  dirs.push(d);
  return d;
};

describe('the launcher', () => {
  it('needs a PostgreSQL DATABASE_URL for several instances, and says why', async () => {
    const dir = dataDir();
    await expect(startCity({ dataDir: dir, instances: 2, env: { DATABASE_URL: '' } })).rejects.toThrow(
      '2 instances need DATABASE_URL=postgres://… : every instance writes to one PostgreSQL supervision store (the embedded SQLite store belongs to one process).',
    );
    await expect(startCity({ dataDir: dir, instances: 3, env: { DATABASE_URL: join(dir, 'x.db') } })).rejects.toThrow(/3 instances need DATABASE_URL=postgres/);
    // Nothing was started or written.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a count that is not a whole number from 1 to 16, and an unknown subgraph', async () => {
    await expect(startCity({ dataDir: dataDir(), instances: 0 })).rejects.toThrow(/from 1 to 16, not 0/);
    await expect(startCity({ dataDir: dataDir(), instances: 1.5 })).rejects.toThrow(/from 1 to 16/);
    await expect(startCity({ dataDir: dataDir(), subgraphs: ['police'] })).rejects.toThrow(/No subgraph named police; there are population, /);
  });
});
