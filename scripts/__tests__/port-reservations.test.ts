/**
 * Ports of test cities started side by side: a city passes over the ports another live process reserved,
 * takes over the reservations of a process that is gone, and ends its own when it stops.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdFreePorts, RESERVATIONS } from '../lib/city.ts';

// A block of ports well inside the launcher's range, left to this test (the range starts at random, so a city is unlikely to scan it meanwhile).
const LOW = 31_900;
const range = { low: LOW, high: LOW + 3 };
const file = (port: number) => join(RESERVATIONS, String(port));

describe('port reservations between cities', () => {
  it('skips a port a live process reserved, takes one a dead process left, and frees its own when asked', async () => {
    mkdirSync(RESERVATIONS, { recursive: true });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    try {
      for (let p = range.low; p < range.high; p++) rmSync(file(p), { force: true });
      writeFileSync(file(LOW), String(other.pid)); // a city of another live process
      writeFileSync(file(LOW + 1), String(dead.pid)); // left by a process that is gone
      const held = await holdFreePorts(['a', 'b'], range);
      expect(Object.values(held.ports).sort()).toEqual([LOW + 1, LOW + 2]);
      expect(readFileSync(file(LOW + 1), 'utf8')).toBe(String(process.pid));
      expect(readFileSync(file(LOW), 'utf8')).toBe(String(other.pid));
      // Every port of the range is taken now: another city of this very process finds none.
      await expect(holdFreePorts(['c'], range)).rejects.toThrow(`No free loopback port between ${LOW} and ${LOW + 3}.`);
      await held.releaseAll();
      held.unreserve();
      expect([existsSync(file(LOW)), existsSync(file(LOW + 1)), existsSync(file(LOW + 2))]).toEqual([true, false, false]);
    } finally {
      other.kill();
      for (let p = range.low; p < range.high; p++) rmSync(file(p), { force: true });
    }
  });
});
