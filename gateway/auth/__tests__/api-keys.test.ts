import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKeyStore, issueApiKey, listApiKeys, revokeApiKey } from '../api-keys.ts';
import { failure, refusal } from './helpers.ts';

const dirs: string[] = [];
function keyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'citygraph-apikeys-'));
  dirs.push(dir);
  return join(dir, 'nested', 'api-keys.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('API keys', () => {
  it('authenticates an issued key as an integrator with its client and scopes', () => {
    const file = keyFile();
    const { id, key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    expect(key).toMatch(new RegExp(`^cgk_${id}_[A-Za-z0-9_-]{43}$`));
    expect(createApiKeyStore({ file }).authenticate(key)).toEqual({
      sub: `apikey:${id}`,
      role: 'integrator',
      department: null,
      scopes: ['identity:verify'],
      onBehalfOf: null,
      client: 'hotel-a',
      purpose: null,
    });
  });

  it('carries the purpose registered with a key, and refuses one with control characters', () => {
    const file = keyFile();
    const { key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'], purpose: '旅馆住宿登记' });
    expect(createApiKeyStore({ file }).authenticate(key).purpose).toBe('旅馆住宿登记');
    expect(() => issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'], purpose: 'a\u0000b' })).toThrow(/purpose/);
  });

  it('stores only a hash of the key, in a file only its owner can read', () => {
    const file = keyFile();
    const { key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    const secret = key.split('_').slice(2).join('_');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toMatch(/"hash": "sha256:[0-9a-f]{64}"/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses an unknown key, including one with a known id and a wrong secret', async () => {
    const file = keyFile();
    const { id } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    const store = createApiKeyStore({ file });
    expect(await refusal(() => store.authenticate(`cgk_${id}_${'A'.repeat(43)}`))).toBe('unknown');
    expect(await refusal(() => store.authenticate(`cgk_000000000000_${'A'.repeat(43)}`))).toBe('unknown');
    expect(await refusal(() => store.authenticate('hunter2'))).toBe('malformed');
  });

  it('refuses a revoked key at once when the file is re-read, without a restart', async () => {
    const file = keyFile();
    const { id, key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    const other = issueApiKey(file, { client: 'park-b', scopes: ['citycode:verify'] });
    const store = createApiKeyStore({ file, reloadIntervalMs: 0 });
    expect(store.authenticate(key).client).toBe('hotel-a');
    revokeApiKey(file, id);
    expect(await refusal(() => store.authenticate(key))).toBe('revoked');
    expect(store.authenticate(other.key).client).toBe('park-b');
  });

  it('sees a key issued after the store was created at once, whatever the interval', () => {
    const file = keyFile();
    const store = createApiKeyStore({ file, reloadIntervalMs: 60_000 });
    const { key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    expect(store.authenticate(key).client).toBe('hotel-a');
  });

  it('checks the file for known keys at most once per interval', () => {
    const file = keyFile();
    const { id, key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    const store = createApiKeyStore({ file, reloadIntervalMs: 60_000 });
    revokeApiKey(file, id);
    // Staleness is bounded by the interval (1 s by default), not zero: this is the cost it saves.
    expect(store.authenticate(key).client).toBe('hotel-a');
  });

  it('refuses every key while the file is corrupt rather than keep stale keys', async () => {
    const file = keyFile();
    const { key } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    const store = createApiKeyStore({ file, reloadIntervalMs: 0 });
    writeFileSync(file, '{ not json');
    expect((await failure(() => store.authenticate(key))).code).toBe('INTERNAL');
  });

  it('refuses to start on a corrupt file', () => {
    const file = keyFile();
    issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    writeFileSync(file, '{"version":1,"keys":[{"id":"x"}]}');
    expect(() => createApiKeyStore({ file })).toThrow(/not a CityGraph API key file/);
  });

  it('lists keys without hashes and refuses to revoke an unknown id', () => {
    const file = keyFile();
    const { id } = issueApiKey(file, { client: 'hotel-a', scopes: ['identity:verify'] });
    revokeApiKey(file, id);
    const [info] = listApiKeys(file);
    expect(info).toMatchObject({ id, client: 'hotel-a', enabled: false });
    expect(info!.revokedAt).toEqual(expect.any(String));
    expect(info).not.toHaveProperty('hash');
    expect(() => revokeApiKey(file, 'ffffffffffff')).toThrow(/No API key/);
  });

  it('refuses to issue a key without a valid client or scopes', () => {
    const file = keyFile();
    expect(() => issueApiKey(file, { client: '', scopes: ['a'] })).toThrow(/client/);
    expect(() => issueApiKey(file, { client: 'has space', scopes: ['a'] })).toThrow(/client/);
    expect(() => issueApiKey(file, { client: 'hotel', scopes: [] })).toThrow(/scopes/);
  });
});
