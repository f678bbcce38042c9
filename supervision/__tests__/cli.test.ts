import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, seed, type TestContext } from './harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function audit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['scripts/audit.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe.each(BACKENDS)('the audit command line on $name', ({ create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
    const store = await ctx.open();
    await seed(store, 6);
    await store.close();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('signs a checkpoint, exports it, exits 0 on an intact store and non-zero naming a truncated tail', async () => {
    const env = { CITYGRAPH_DATA_DIR: ctx.dataDir };
    expect(audit(['checkpoint', '--db', ctx.db], env)).toMatchObject({ code: 0, out: expect.stringMatching(/^Signed checkpoint 1 over 2 chains up to seq 12 \(sm2/) });
    const file = join(ctx.dataDir, 'witness.json');
    expect(audit(['export-checkpoints', file, '--db', ctx.db], env)).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'citygraph-supervision-checkpoints/1', checkpoints: [{ id: 1, totalSeq: 12 }] });
    expect(audit(['verify', '--db', ctx.db, '--checkpoint', file])).toMatchObject({ code: 0, out: 'OK: 12 records and 1 checkpoints verified.' });
    await ctx.sql('DELETE FROM supervision_records WHERE seq > 9');
    await ctx.sql('DELETE FROM supervision_checkpoints');
    const failed = audit(['verify', '--db', ctx.db, '--checkpoint', file]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^FAILED truncated at seq 10, medicalInsurance, checkpoint 1: /);
    const json = JSON.parse(audit(['verify', '--db', ctx.db, '--checkpoint', file, '--json']).out);
    expect(json).toMatchObject({ ok: false, firstProblem: { kind: 'truncated', seq: 10 } });
  });

  it('exits non-zero with one line and no stack on a corrupt checkpoint file, a modified record or a missing store', async () => {
    const file = join(ctx.dataDir, 'corrupt.json');
    writeFileSync(file, '{"format":');
    const corrupt = audit(['verify', '--db', ctx.db, '--checkpoint', file]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.out).toMatch(/^FAILED corruptCheckpoint: The checkpoint file .* is not valid JSON/);
    expect(`${corrupt.out}${corrupt.err}`).not.toMatch(/\n\s+at /);

    await ctx.sql("UPDATE supervision_records SET args = '{}' WHERE seq = 5");
    expect(audit(['verify', '--db', ctx.db])).toMatchObject({ code: 1, out: expect.stringMatching(/^FAILED modified at seq 5, medicalInsurance: /) });

    const missing = audit(['verify', '--db', join(ctx.dataDir, 'nothing.db')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^audit: Cannot open the supervision store/);
    expect(audit(['frobnicate']).code).toBe(2);
  });
});
