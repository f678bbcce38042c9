import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_KEY_FILES, ensureDevKeys, ensureDevSecret } from '../dev-keys.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'citygraph-devkeys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ensureDevKeys', () => {
  it('creates a 32-byte HS256 secret and a matching Ed25519 pair at first start', () => {
    const keys = ensureDevKeys(dataDir());
    expect(keys.created).toBe(true);
    expect(Buffer.from(keys.jwtSecret, 'base64url')).toHaveLength(32);
    const priv = createPrivateKey(keys.principalPrivateKeyPem);
    expect(priv.asymmetricKeyType).toBe('ed25519');
    expect(keys.principalPrivateKeyPem).toMatch(/^-----BEGIN PRIVATE[ ]KEY-----/);
    expect(keys.principalPublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(priv).export({ type: 'spki', format: 'pem' })).toBe(keys.principalPublicKeyPem);
  });

  it('reuses the same keys on every later start', () => {
    const dir = dataDir();
    const first = ensureDevKeys(dir);
    const second = ensureDevKeys(dir);
    expect(second.created).toBe(false);
    expect(second).toEqual({ ...first, created: false });
  });

  it('gives different data directories different keys', () => {
    expect(ensureDevKeys(dataDir()).jwtSecret).not.toBe(ensureDevKeys(dataDir()).jwtSecret);
  });

  it('writes every key file with mode 0600 in a 0700 folder, named dev-, and leaves no temporary file', () => {
    const dir = dataDir();
    ensureDevKeys(dir);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    const files = readdirSync(join(dir, 'keys')).sort();
    expect(files).toEqual(Object.values(DEV_KEY_FILES).sort());
    for (const f of files) {
      expect(f.startsWith('dev-')).toBe(true);
      expect(statSync(join(dir, 'keys', f)).mode & 0o777).toBe(0o600);
    }
  });

  it('tightens a key file that was made readable by others', () => {
    const dir = dataDir();
    ensureDevKeys(dir);
    const secret = join(dir, 'keys', DEV_KEY_FILES.jwtSecret);
    chmodSync(secret, 0o644);
    ensureDevKeys(dir);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it('gives processes that start at the same moment one and the same key', async () => {
    const dir = dataDir();
    const script = `import { ensureDevKeys } from ${JSON.stringify(new URL('../dev-keys.ts', import.meta.url).href)};
      process.stdout.write(ensureDevKeys(${JSON.stringify(dir)}).principalPublicKeyPem);`;
    const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const outputs = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(outputs.map((o) => o.stdout)).size).toBe(1);
    expect(outputs[0]!.stdout).toBe(ensureDevKeys(dir).principalPublicKeyPem);
  });
});

describe('ensureDevSecret', () => {
  it('creates a named 32-byte secret once, mode 0600, and returns the same one afterwards', () => {
    const dir = dataDir();
    const first = ensureDevSecret(dir, 'subject-hmac');
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(ensureDevSecret(dir, 'subject-hmac')).toBe(first);
    expect(ensureDevSecret(dir, 'other')).not.toBe(first);
    expect(statSync(join(dir, 'keys', 'dev-subject-hmac.secret')).mode & 0o777).toBe(0o600);
  });

  it('refuses a name that could leave the keys folder', () => {
    expect(() => ensureDevSecret(dataDir(), '../escape')).toThrow(TypeError);
  });
});
