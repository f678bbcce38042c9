import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { ANONYMOUS } from '../../../core/principal.ts';
import { issueApiKey, revokeApiKey } from '../api-keys.ts';
import { createAuthenticator } from '../authenticate.ts';
import { signDevToken } from '../dev-token.ts';
import { CITIZEN_ID, SECRET, mint, refusal, unsigned } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'citygraph-auth-'));
const apiKeysFile = join(dir, 'api-keys.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const auth = createAuthenticator({ jwt: { hs256Secret: SECRET }, apiKeysFile });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The message of the error `p` rejects with. */
async function messageOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => expect.unreachable('accepted'), (err: unknown) => err);
  if (!isCityGraphError(e)) throw e;
  return e.message;
}

describe('createAuthenticator', () => {
  it('gives a request without a credential the anonymous principal', async () => {
    expect(await auth.authenticate({ host: 'gateway', accept: 'application/json' })).toBe(ANONYMOUS);
  });

  it('ignores identity headers a client sends: alone they are still anonymous', async () => {
    const headers = {
      'x-user-id': CITIZEN_ID,
      'x-role': 'admin',
      'x-scopes': 'identity:verify',
      'x-department': 'population',
      'x-on-behalf-of': CITIZEN_ID,
      'x-citygraph-principal': 'eyJhbGciOiJFZERTQSJ9.e30.sig',
    };
    expect(await auth.authenticate(headers)).toBe(ANONYMOUS);
  });

  it('ignores identity headers beside a bearer token', async () => {
    const token = await signDevToken({ secret: SECRET, role: 'citizen', sub: CITIZEN_ID });
    const p = await auth.authenticate({ ...bearer(token), 'x-role': 'admin', 'x-scopes': 'everything', 'x-user-id': 'root' });
    expect(p).toMatchObject({ role: 'citizen', sub: CITIZEN_ID, scopes: [] });
  });

  it('authenticates a development token made by signDevToken', async () => {
    const token = await signDevToken({ secret: SECRET, role: 'staff', sub: 's-1', department: 'population', scopes: ['cases:read'] });
    expect(await auth.authenticate(bearer(token))).toEqual({
      sub: 's-1',
      role: 'staff',
      department: 'population',
      scopes: ['cases:read'],
      onBehalfOf: null,
      client: null,
    });
  });

  it('accepts the scheme in any case and a header name in any case', async () => {
    const token = await signDevToken({ secret: SECRET, role: 'admin', sub: 'admin-dev' });
    expect((await auth.authenticate({ Authorization: `bearer ${token}` })).role).toBe('admin');
  });

  it('refuses a bad, expired or alg none token instead of falling back to anonymous', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(auth.authenticate(bearer('not-a-jwt')))).toBe('malformed');
    expect(await refusal(auth.authenticate(bearer(await mint({ sub: CITIZEN_ID, role: 'citizen', exp: now - 120 }))))).toBe('expired');
    expect(await refusal(auth.authenticate(bearer(unsigned({ sub: 'root', role: 'admin' }))))).toBe('algorithm');
  });

  it('refuses an empty Authorization header or another scheme', async () => {
    expect(await refusal(auth.authenticate({ authorization: '' }))).toBe('scheme');
    expect(await refusal(auth.authenticate({ authorization: 'Bearer ' }))).toBe('scheme');
    expect(await refusal(auth.authenticate({ authorization: 'Basic YWRtaW46YWRtaW4=' }))).toBe('scheme');
  });

  it('refuses a repeated credential header', async () => {
    const token = await signDevToken({ secret: SECRET, role: 'admin', sub: 'admin-dev' });
    expect(await refusal(auth.authenticate({ 'x-api-key': ['a', 'b'] }))).toBe('repeated');
    expect(await refusal(auth.authenticate({ authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` }))).toBe('repeated');
  });

  it('authenticates an integrator API key with its client and scopes', async () => {
    const { id, key } = issueApiKey(apiKeysFile, { client: 'hotel-a', scopes: ['identity:verify'] });
    expect(await auth.authenticate({ 'x-api-key': key })).toEqual({
      sub: `apikey:${id}`,
      role: 'integrator',
      department: null,
      scopes: ['identity:verify'],
      onBehalfOf: null,
      client: 'hotel-a',
      purpose: null,
    });
  });

  it('takes the x-purpose header (percent-encoded UTF-8) over the key\'s registered purpose, and refuses a malformed one', async () => {
    const { key } = issueApiKey(apiKeysFile, { client: 'hotel-a', scopes: ['identity:verify'], purpose: 'registered' });
    expect((await auth.authenticate({ 'x-api-key': key })).purpose).toBe('registered');
    expect((await auth.authenticate({ 'x-api-key': key, 'x-purpose': encodeURIComponent('住宿登记') })).purpose).toBe('住宿登记');
    expect(await refusal(auth.authenticate({ 'x-api-key': key, 'x-purpose': '%E4%' }))).toBe('purpose');
    expect(await refusal(auth.authenticate({ 'x-api-key': key, 'x-purpose': 'x'.repeat(129) }))).toBe('purpose');
  });

  it('refuses an unknown API key', async () => {
    expect(await refusal(auth.authenticate({ 'x-api-key': `cgk_123456789abc_${'x'.repeat(43)}` }))).toBe('unknown');
  });

  it('refuses a key revoked while the gateway runs, within about a second', async () => {
    const { id, key } = issueApiKey(apiKeysFile, { client: 'park-b', scopes: ['citycode:verify'] });
    const running = createAuthenticator({ jwt: { hs256Secret: SECRET }, apiKeysFile });
    expect((await running.authenticate({ 'x-api-key': key })).client).toBe('park-b');
    revokeApiKey(apiKeysFile, id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refusal(running.authenticate({ 'x-api-key': key }))).toBe('revoked');
  });

  it('refuses a request carrying both a bearer token and an API key', async () => {
    const { key } = issueApiKey(apiKeysFile, { client: 'hotel-c', scopes: ['identity:verify'] });
    const token = await signDevToken({ secret: SECRET, role: 'admin', sub: 'admin-dev' });
    expect(await refusal(auth.authenticate({ ...bearer(token), 'x-api-key': key }))).toBe('ambiguous');
  });

  it('refuses an API key when no key file is configured', async () => {
    const jwtOnly = createAuthenticator({ jwt: { hs256Secret: SECRET } });
    expect(await refusal(jwtOnly.authenticate({ 'x-api-key': 'cgk_x' }))).toBe('apiKeysDisabled');
  });

  it('never puts the token or the key in an error message', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      await mint({ sub: CITIZEN_ID, role: 'citizen', exp: now - 120 }),
      await mint({ sub: CITIZEN_ID, role: 'citizen', iss: 'evil' }),
      await mint({ sub: '210102198503152319', role: 'citizen' }),
      await mint({ sub: CITIZEN_ID, role: 'citizen' }, { key: new TextEncoder().encode(`${SECRET}x`) }),
      unsigned({ sub: CITIZEN_ID, role: 'admin' }),
    ];
    for (const token of tokens) {
      const message = await messageOf(auth.authenticate(bearer(token)));
      for (const part of token.split('.').filter((s) => s.length > 8)) expect(message).not.toContain(part);
      expect(message).not.toMatch(/2101021985031523/);
    }
    const { id, key } = issueApiKey(apiKeysFile, { client: 'hotel-d', scopes: ['identity:verify'] });
    const secret = key.slice(`cgk_${id}_`.length);
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('Q') ? 'R' : 'Q'}`;
    expect(await messageOf(auth.authenticate({ 'x-api-key': `cgk_${id}_${wrong}` }))).not.toContain(secret.slice(0, 20));
  });

  it('says what to set when the options have no key source', () => {
    expect(() => createAuthenticator({ jwt: {} })).toThrow(/hs256Secret.*jwksUrl/);
    expect(() => createAuthenticator({} as never)).toThrow(TypeError);
  });
});
