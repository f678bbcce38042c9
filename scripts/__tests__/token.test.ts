import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevKeys } from '../../core/dev-keys.ts';
import { createAuthenticator } from '../../gateway/auth/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'citygraph-token-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const script = fileURLToPath(new URL('../token.ts', import.meta.url));

/** Runs `token.ts args` like `npm run -s token -- args`; never rejects, returns the exit code. */
function token(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...process.env, CITYGRAPH_DATA_DIR: dataDir } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run token', () => {
  it('prints only a token that the gateway accepts with the dev secret of the data directory', async () => {
    const out = await token('--role', 'app', '--sub', 'wallet-svc', '--on-behalf-of', '210102198503152318', '--scopes', 'profile:read,cases:read', '--client', 'wallet');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const auth = createAuthenticator({ jwt: { hs256Secret: ensureDevKeys(dataDir).jwtSecret } });
    expect(await auth.authenticate({ authorization: `Bearer ${out.stdout.trim()}` })).toEqual({
      sub: 'wallet-svc',
      role: 'app',
      department: null,
      scopes: ['profile:read', 'cases:read'],
      onBehalfOf: '210102198503152318',
      client: 'wallet',
    });
  });

  it('defaults the subject of an admin token', async () => {
    const out = await token('--role', 'admin');
    const auth = createAuthenticator({ jwt: { hs256Secret: ensureDevKeys(dataDir).jwtSecret } });
    expect(await auth.authenticate({ authorization: `Bearer ${out.stdout.trim()}` })).toMatchObject({ role: 'admin', sub: 'admin-dev' });
  });

  it('refuses an unknown role and names the valid ones, printing nothing on stdout', async () => {
    const out = await token('--role', 'mayor', '--sub', 'x');
    expect(out).toMatchObject({ code: 2, stdout: '' });
    expect(out.stderr).toMatch(/--role must be one of citizen, enterprise, staff/);
  });

  it('refuses a citizen token without --sub or with an invalid resident ID', async () => {
    expect((await token('--role', 'citizen')).stderr).toMatch(/--sub is required/);
    const bad = await token('--role', 'citizen', '--sub', '210102198503152319');
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/valid resident ID/);
  });
});
