/**
 * Checkpoint keys rotate without downtime: instances (or a restarted one) sign with a new key, every key
 * the store has held stays in it, and `audit verify` checks each checkpoint with the key that signed it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, seed, type TestContext } from './harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe.each(BACKENDS)('checkpoints signed by successive keys ($name)', ({ create }) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await create();
  });
  afterEach(async () => {
    await ctx.cleanup();
  });

  it('verifies every checkpoint with the key that signed it, and fails when a held key is removed', async () => {
    const before = await ctx.open();
    await seed(before, 3);
    await before.checkpoint();
    await before.close();
    // The next key: another instance's, or this one's after a rotation.
    const rotated = { privateKeyPath: join(ctx.dataDir, 'next', 'k.pem'), publicKeyPath: join(ctx.dataDir, 'next', 'k.pub.pem') };
    const after = await ctx.open({ signing: rotated });
    await seed(after, 3);
    await after.checkpoint();
    await after.close();
    const keys = await ctx.sql('SELECT key_id FROM supervision_keys');
    expect(keys).toHaveLength(2);
    const cps = (await ctx.sql('SELECT body FROM supervision_checkpoints ORDER BY id')).map((r) => (JSON.parse(String(r.body)) as { keyId: string }).keyId);
    expect(new Set(cps).size).toBe(2);

    const run = () => spawnSync(process.execPath, ['scripts/audit.ts', 'verify', '--db', ctx.db], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, encoding: 'utf8', timeout: 20_000 });
    const ok = run();
    expect(ok.stdout.trim()).toBe('OK: 12 records and 2 checkpoints verified.');
    expect(ok.status).toBe(0);

    await ctx.sql('DELETE FROM supervision_keys WHERE key_id = ?', [cps[0]]);
    const failed = run();
    expect(failed.status).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/unknown key/);
  }, 60_000);
});
