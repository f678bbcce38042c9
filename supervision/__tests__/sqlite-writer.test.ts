/**
 * The SQLite store's writer thread (sqlite-writer.ts): a group resolves only once committed, a check
 * that refuses one entry refuses only that entry, and a thread that cannot work rejects every group it
 * was given instead of leaving it hanging or acknowledging it.
 */
import { spawn } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { openSupervisionStore } from '../index.ts';
import { SqliteWriter } from '../sqlite-writer.ts';
import { SUBJECT_KEY } from './harness.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'citygraph-writer-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite writer thread', () => {
  it('acknowledges each group only when another connection already sees every record of it', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'supervision.db');
    const store = await openSupervisionStore({ url: file, dataDir, subjectKey: SUBJECT_KEY, checkpointEvery: 0, checkpointIntervalMs: 0 });
    const other = new DatabaseSync(file, { readOnly: true });
    const seen = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const ref = await store.appendAccess({ department: 'population', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name', subject: { kind: 'citizen', id: '210102198503152318' }, args: { fields: ['Citizen.name'], purpose: `p${i}` } });
      return (other.prepare('SELECT hash FROM supervision_records WHERE seq = ?').get(ref.seq) as { hash: string } | undefined)?.hash === ref.hash;
    }));
    expect(seen.every(Boolean)).toBe(true);
    other.close();
    await store.close();
  });

  it('refuses only the outcome whose intent is already closed, in the same group as others', async () => {
    const dataDir = tempDir();
    const store = await openSupervisionStore({ url: join(dataDir, 'supervision.db'), dataDir, subjectKey: SUBJECT_KEY, checkpointEvery: 0, checkpointIntervalMs: 0 });
    const intent = await store.appendIntent({ department: 'population', actor: { role: 'citizen' }, field: 'Mutation.x' });
    const [a, b, c] = await Promise.allSettled([
      store.appendOutcome(intent, { outcome: 'SUCCESS' }),
      store.appendOutcome(intent, { outcome: 'ERROR' }),
      store.appendAccess({ department: 'population', actor: { role: 'staff' }, field: 'Citizen.name' }),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.BAD_USER_INPUT, message: `Intent seq ${intent.seq} already has an outcome.` } });
    expect(c.status).toBe('fulfilled');
    expect((await store.integrity()).ok).toBe(true);
    await store.close();
  });

  it('waits for the write lock another process holds, commits as soon as it is free, and gives up after the busy timeout', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'supervision.db');
    const read = (purpose: string) => ({ department: 'population', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name', subject: { kind: 'citizen' as const, id: '210102198503152318' }, args: { fields: ['Citizen.name'], purpose } });
    const store = await openSupervisionStore({ url: file, dataDir, subjectKey: SUBJECT_KEY, checkpointEvery: 0, checkpointIntervalMs: 0, busyTimeoutMs: 1500 });
    await store.appendAccess(read('first')); // the thread is up
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const pending = store.appendAccess(read('while locked'));
    setTimeout(() => other.exec('COMMIT'), 300);
    const ref = await pending;
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(1400); // not the busy timeout: it took the lock once it was free
    expect((other.prepare('SELECT hash FROM supervision_records WHERE seq = ?').get(ref.seq) as { hash: string }).hash).toBe(ref.hash);
    // Held past the busy timeout: refused (never acknowledged), and the next append works again.
    other.exec('BEGIN IMMEDIATE');
    await expect(store.appendAccess(read('too long'))).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    other.exec('COMMIT');
    const after = await store.appendAccess(read('after'));
    expect(after.seq).toBe(ref.seq + 1);
    expect((await store.integrity()).ok).toBe(true);
    other.close();
    await store.close();
  });

  it('signs a checkpoint on the main connection as soon as another process releases the write lock', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'supervision.db');
    const store = await openSupervisionStore({ url: file, dataDir, subjectKey: SUBJECT_KEY, checkpointEvery: 0, checkpointIntervalMs: 0, busyTimeoutMs: 2000 });
    await store.appendAccess({ department: 'population', actor: { role: 'staff', department: 'population' }, field: 'Citizen.name' });
    // Another process holds the lock for `ms` (the main connection's wait blocks this thread, as SQLite's did).
    // The child waits its turn for the lock (the store's writer thread may be filling its subject index at
    // that moment), and a child that exits without taking it fails the test at once instead of hanging it.
    const holdLock = async (ms: number) => {
      const child = spawn(process.execPath, ['-e', `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(${JSON.stringify(file)}, { timeout: 10000 }); db.exec('BEGIN IMMEDIATE'); console.log('locked'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms}); db.exec('COMMIT');`]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the lock-holding process exited (${code}) before taking the lock: ${stderr}`)));
      });
      return { exited };
    };
    let { exited } = await holdLock(300);
    const started = performance.now();
    const cp = await store.checkpoint();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(1500); // not the busy timeout: signed once the lock was free
    expect(cp.heads).toEqual([expect.objectContaining({ department: 'population', deptSeq: 1 })]);
    await exited;
    // Held past the busy timeout: refused, and the store goes on after.
    ({ exited } = await holdLock(3000));
    await expect(store.checkpoint()).rejects.toMatchObject({ code: ErrorCode.SUPERVISION_UNAVAILABLE });
    await exited;
    expect((await store.checkpoint()).id).toBe(cp.id + 1);
    await store.close();
  }, 20_000);

  it('rejects, never hangs, every group of a thread that cannot open the store, and tries a new thread next time', async () => {
    const dir = tempDir(); // a folder, not a database file: the thread fails as it opens it
    const writer = new SqliteWriter({ path: dir, busyTimeoutMs: 100, hash: 'sm3', pragmas: [] });
    const group = () => writer.appendMany([{ draft: { department: 'population' } as never }]);
    await expect(group()).rejects.toThrow(/writer thread (failed|exited)/);
    await expect(group()).rejects.toThrow(/writer thread (failed|exited)/);
    await writer.close();
  });
});
