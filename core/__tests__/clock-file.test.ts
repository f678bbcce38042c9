/** The development clock file: while it exists "now" is the instant it names plus the real time since it was written. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cityClock, withClockFile, writeClockFile } from '../clock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'citygraph-clock-'));
  dirs.push(dir);
  return join(dir, 'clock.json');
}

describe('withClockFile', () => {
  it('follows the file from the moment it is written, runs on with real time, and falls back when it is removed', () => {
    let real = Date.parse('2026-12-02T02:00:00.000Z');
    const realClock = () => new Date(real);
    const base = () => new Date('2030-01-01T00:00:00.000Z');
    const path = file();
    const clock = withClockFile(base, path, realClock);
    expect(clock().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    writeClockFile(path, new Date('2026-10-12T02:00:00.000Z'), realClock);
    expect(clock().toISOString()).toBe('2026-10-12T02:00:00.000Z');
    real += 90_000;
    expect(clock().toISOString()).toBe('2026-10-12T02:01:30.000Z');
    rmSync(path);
    expect(clock().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('ignores a file that is not what it writes, and does nothing without a path', () => {
    const base = () => new Date('2030-01-01T00:00:00.000Z');
    const path = file();
    for (const junk of ['', 'not json', '{"at":"yesterday","setAt":1}', '{"at":"2026-10-12T02:00:00Z"}']) {
      writeFileSync(path, junk);
      expect(withClockFile(base, path)().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    }
    expect(withClockFile(base, undefined)).toBe(base);
  });
});

describe('cityClock', () => {
  it('refuses a moved clock or a clock file in production, and gives the real clock there otherwise', () => {
    expect(() => cityClock({ NODE_ENV: 'production', CITYGRAPH_CLOCK: '+30d' })).toThrow(/refused with NODE_ENV=production/);
    expect(() => cityClock({ NODE_ENV: 'production', CITYGRAPH_CLOCK_FILE: '/tmp/clock.json' })).toThrow(/refused with NODE_ENV=production/);
    const now = cityClock({ NODE_ENV: 'production' })().getTime();
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
  });

  it('moves the clock by its setting in development', () => {
    const moved = cityClock({ CITYGRAPH_CLOCK: '+30d' })().getTime();
    expect(moved - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });
});
