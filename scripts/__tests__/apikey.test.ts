import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../../gateway/auth/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-apikey-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const script = fileURLToPath(new URL('../apikey.ts', import.meta.url));

/** Runs `apikey.ts args` like `npm run -s apikey -- args`; never rejects, returns the exit code. */
function apikey(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...process.env, CITYGRAPH_DATA_DIR: dataDir } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run apikey', () => {
  it('issues a key shown once, lists it without secrets, and revokes it', async () => {
    const issued = await apikey('issue', '--client', 'hotel-a', '--scopes', 'identity:verify,citycode:verify', '--purpose', 'hotel check-in');
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(/^cgk_[0-9a-f]{12}_[\w-]{43}$/);
    const id = key.split('_')[1]!;
    const store = createApiKeyStore({ file: join(dataDir, 'api-keys.json'), reloadIntervalMs: 0 });
    expect(store.authenticate(key)).toMatchObject({ client: 'hotel-a', scopes: ['identity:verify', 'citycode:verify'], purpose: 'hotel check-in' });

    const listed = await apikey('list');
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+hotel-a\\s+enabled\\s+identity:verify,citycode:verify`));
    expect(listed.stdout).not.toContain(key.slice(`cgk_${id}_`.length));
    expect(listed.stdout).not.toMatch(/sha256/);

    expect((await apikey('revoke', id)).code).toBe(0);
    expect(() => store.authenticate(key)).toThrow(/revoked/);
    expect((await apikey('list')).stdout).toMatch(new RegExp(`${id}\\s+hotel-a\\s+revoked`));
  });

  it('explains a missing client, an unknown id and an unknown command', async () => {
    expect((await apikey('issue', '--scopes', 'identity:verify')).stderr).toMatch(/--client/);
    expect((await apikey('issue', '--client', 'hotel-a', '--scopes', 'identity:verify')).stderr).toMatch(/--purpose/);
    const unknown = await apikey('revoke', 'ffffffffffff');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No API key with id ffffffffffff/);
    expect((await apikey('rotate')).stderr).toMatch(/unknown command "rotate"/);
  });
});
