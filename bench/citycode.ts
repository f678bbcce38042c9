/**
 * `npm run -s bench:citycode`: the city code's cryptography, one core, and then issuance end to end.
 * Prints figures; asserts nothing.
 *
 *   1. SM2 signatures and verifications (GM/T 0009 ID) with sm-crypto, sm-crypto-v2 and the openssl CLI
 *   2. credentials made per second (handle + body + city signature: the subgraph's CPU work per credential)
 *   3. offline verifications per second (both signatures, a gate's work per code)
 *   4. with BENCH_CITY=1: `issueCityCodeCredential` through a started city's gateway (supervision records included)
 *
 *   BENCH_SECONDS=2 BENCH_CITY=1 npm run -s bench:citycode
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smCrypto from 'sm-crypto';
import {
  createDeviceKey, credentialBody, credentialText, generateKeys, makeCode, PURPOSES, sign, SM2_USER_ID, trustFrom, verify, verifyCode, type PublishedKeys,
} from '../citycode-client/index.ts';
import { signDevToken } from '../gateway/auth/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { sm2PrivatePem, sm2PublicPem } from '../supervision/sm2-keys.ts';
import { createHandleCodec } from '../subgraphs/citycode/handle.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'citycode-bench-'));

/** Runs `f` for `seconds` (after a short warm-up); returns operations per second. */
function rate(f: () => void, s = seconds): number {
  for (let i = 0; i < 20; i++) f();
  let n = 0;
  const end = performance.now() + s * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    f();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

const city = generateKeys();
const msg = new Uint8Array(52).fill(7);
const rows: [string, number, number][] = [];

// sm-crypto (the checkpoints' library): strings of hex, ID given explicitly.
{
  const hex = Buffer.from(msg).toString('hex');
  const opts = { hash: true, der: false, userId: SM2_USER_ID, publicKey: city.publicKey } as never;
  const sig = smCrypto.sm2.doSignature(hex, city.privateKey, opts);
  rows.push(['sm-crypto 0.5.8', rate(() => smCrypto.sm2.doSignature(hex, city.privateKey, opts), Math.min(seconds, 1)), rate(() => smCrypto.sm2.doVerifySignature(hex, sig, city.publicKey, opts), Math.min(seconds, 1))]);
}
// sm-crypto-v2 (what the city code uses).
{
  const sig = sign(msg, city);
  rows.push(['sm-crypto-v2 1.15.1', rate(() => sign(msg, city)), rate(() => verify(msg, sig, city.publicKey))]);
}
// openssl command line: one process per operation, as a shell integration would do it.
{
  const key = join(dir, 'k.pem');
  const pub = join(dir, 'p.pem');
  const m = join(dir, 'm');
  const s = join(dir, 's');
  writeFileSync(key, sm2PrivatePem({ privateHex: city.privateKey, publicHex: city.publicKey }));
  writeFileSync(pub, sm2PublicPem(city.publicKey));
  writeFileSync(m, msg);
  const signOnce = () => execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', m, '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`, '-out', s]);
  signOnce();
  const verifyOnce = () => execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', m, '-sigfile', s, '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`]);
  rows.push(['openssl 3 CLI (a process each)', rate(signOnce, Math.min(seconds, 1)), rate(verifyOnce, Math.min(seconds, 1))]);
}

console.log(`Node ${process.version}, one core, ${seconds} s a figure`);
console.log('SM2 with ID 1234567812345678          signatures/s   verifications/s');
for (const [name, s, v] of rows) console.log(`  ${name.padEnd(36)} ${fmt(s).padStart(10)}   ${fmt(v).padStart(12)}`);

// Credentials: what the subgraph computes per issuance (handle, body, signature).
const handles = createHandleCodec('bench-handle-key-'.padEnd(40, 'x'));
const device = createDeviceKey();
const now = Math.floor(Date.now() / 1000);
let credential = '';
const issueOnce = () => {
  const body = credentialBody({ keyId: 1, devicePublicKey: device.compressedPublicKey, handle: handles.seal('210102198503152318'), functions: [...PURPOSES], notBefore: now - 300, notAfter: now + 86400 });
  credential = credentialText(body, sign(body, city));
};
const credentials = rate(issueOnce);
const doc: PublishedKeys = { sm2UserId: SM2_USER_ID, keys: [{ kid: 1, publicKey: city.publicKey, notBefore: new Date((now - 3600) * 1000).toISOString(), notAfter: new Date((now + 2 * 86400) * 1000).toISOString() }], revokedDevices: [], updatedAt: '' };
const trust = trustFrom(doc);
const code = makeCode(credential, device);
const codes = rate(() => makeCode(credential, device));
const verifications = rate(() => {
  if (!verifyCode(code, trust).ok) throw new Error('bench code did not verify');
});
console.log(`credentials made (handle + city signature): ${fmt(credentials)}/s  = ${fmt((credentials * 86400) / 1e6)} million a day per core`);
console.log(`codes made on a device:                     ${fmt(codes)}/s`);
console.log(`offline verifications (both signatures):    ${fmt(verifications)}/s  = ${(1000 / verifications).toFixed(2)} ms a code`);

if (process.env.BENCH_CITY === '1') {
  const { startCity } = await import('../scripts/lib/city.ts');
  const c = await startCity({ dataDir: dir, env: { LOG_LEVEL: 'warn' } });
  try {
    const token = await signDevToken({ secret: ensureDevKeys(dir).jwtSecret, role: 'citizen', sub: '210102198503152318' });
    const body = JSON.stringify({ query: 'mutation($k: String!) { issueCityCodeCredential(devicePublicKey: $k) { credential } }', variables: { k: device.publicKey } });
    const call = async () => {
      const r = await fetch(c.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const j = (await r.json()) as { data?: { issueCityCodeCredential?: unknown } };
      if (!j.data?.issueCityCodeCredential) throw new Error('issuance failed');
    };
    for (let i = 0; i < 20; i++) await call();
    let n = 0;
    const end = Date.now() + seconds * 1000;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (Date.now() < end) {
        await call();
        n++;
      }
    }));
    console.log(`issueCityCodeCredential through the gateway, 16 in flight (2 durable SQLite records each): ${fmt(n / ((Date.now() - t0) / 1000))}/s`);
  } finally {
    await c.stop();
  }
}
rmSync(dir, { recursive: true, force: true });
