import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import smCrypto from 'sm-crypto';
import { sm2 as sm2v2 } from 'sm-crypto-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointSignatureValid, signCheckpoint } from '../checkpoint.ts';
import { keyIdOf, loadOrCreateSigner, signerFromPrivateKey, SM2_USER_ID, verifySignature } from '../signing.ts';
import { sm2PrivateHexFrom, sm2PublicHexFromPem, sm2PublicOf } from '../sm2-keys.ts';

const OPENSSL = '/usr/bin/openssl';
const dir = mkdtempSync(join(tmpdir(), 'citygraph-sm2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(OPENSSL, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString() };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: Buffer }).stderr ?? e) };
  }
}

describe('SM3', () => {
  it('gives the same digests in Node (OpenSSL) and sm-crypto, including the GB/T 32905 test vector', () => {
    const inputs = [Buffer.from('abc'), Buffer.from('abcd'.repeat(16)), Buffer.alloc(0), Buffer.from('监督中台 行权事项', 'utf8'), randomBytes(1000), randomBytes(64)];
    for (const input of inputs) {
      expect(createHash('sm3').update(input).digest('hex')).toBe(smCrypto.sm3([...input]));
    }
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
});

describe('SM2 checkpoint signatures', () => {
  const message = '{"heads":[{"department":"population","deptSeq":8}],"id":1,"note":"监督"}';
  const msgFile = join(dir, 'message.txt');
  writeFileSync(msgFile, message);

  it('writes generated keys that OpenSSL reads as SM2 keys', () => {
    loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'gen.key.pem'), publicKeyPath: join(dir, 'gen.pub.pem') });
    expect(openssl(['pkey', '-in', join(dir, 'gen.key.pem'), '-noout', '-text']).out).toMatch(/SM2/);
    expect(openssl(['pkey', '-pubin', '-in', join(dir, 'gen.pub.pem'), '-noout', '-text']).out).toMatch(/SM2/);
    const derived = openssl(['pkey', '-in', join(dir, 'gen.key.pem'), '-pubout']).out;
    expect(derived.trim()).toBe(readFileSync(join(dir, 'gen.pub.pem'), 'utf8').trim());
  });

  it('signs in a way `openssl pkeyutl -verify -digest sm3 -pkeyopt distid:1234567812345678` accepts', () => {
    const signer = loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'gen.key.pem'), publicKeyPath: join(dir, 'gen.pub.pem') });
    for (let i = 0; i < 3; i++) {
      const sigFile = join(dir, `sig-${i}.der`);
      writeFileSync(sigFile, Buffer.from(signer.sign(message), 'hex'));
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'gen.pub.pem'), '-rawin', '-in', msgFile, '-sigfile', sigFile, '-digest', 'sm3'];
      expect(openssl([...args, '-pkeyopt', `distid:${SM2_USER_ID}`])).toMatchObject({ ok: true, out: expect.stringMatching(/Signature Verified Successfully/) });
      // With another distinguishing ID the same signature must fail: the ID really is part of it.
      expect(openssl([...args, '-pkeyopt', 'distid:another-id']).ok).toBe(false);
    }
  });

  it('verifies signatures made by `openssl pkeyutl -sign` and signs with an OpenSSL-generated key', () => {
    const key = join(dir, 'ossl.key.pem');
    const pub = join(dir, 'ossl.pub.pem');
    const sig = join(dir, 'ossl.sig');
    expect(openssl(['genpkey', '-algorithm', 'SM2', '-out', key]).ok).toBe(true);
    expect(openssl(['pkey', '-in', key, '-pubout', '-out', pub]).ok).toBe(true);
    expect(openssl(['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', msgFile, '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`, '-out', sig]).ok).toBe(true);
    const pubPem = readFileSync(pub, 'utf8');
    const sigHex = readFileSync(sig).toString('hex');
    expect(verifySignature('sm2', pubPem, message, sigHex)).toBe(true);
    expect(verifySignature('sm2', pubPem, `${message} `, sigHex)).toBe(false);

    const signer = signerFromPrivateKey('sm2', readFileSync(key, 'utf8'));
    expect(signer.keyId).toBe(keyIdOf('sm2', pubPem));
    expect(verifySignature('sm2', pubPem, message, signer.sign(message))).toBe(true);
  });

  it('verifies checkpoints signed before with sm-crypto, and signs what sm-crypto verifies (same standard, other library)', () => {
    const signer = loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'gen.key.pem'), publicKeyPath: join(dir, 'gen.pub.pem') });
    const d = sm2PrivateHexFrom(readFileSync(join(dir, 'gen.key.pem'), 'utf8'));
    const pub = sm2PublicHexFromPem(signer.publicKeyPem);
    for (const text of [message, '监督中台 checkpoint 行权', '']) {
      const old = smCrypto.sm2.doSignature(text, d, { hash: true, der: true, publicKey: pub, userId: SM2_USER_ID });
      expect(verifySignature('sm2', signer.publicKeyPem, text, old)).toBe(true);
      expect(verifySignature('sm2', signer.publicKeyPem, `${text}x`, old)).toBe(false);
      expect(smCrypto.sm2.doVerifySignature(text, signer.sign(text), pub, { hash: true, der: true, userId: SM2_USER_ID })).toBe(true);
    }
  });

  it('rejects a signature made with the empty ID that Node crypto.sign would use', () => {
    const key = join(dir, 'ossl.key.pem');
    const sig = join(dir, 'empty-id.sig');
    expect(openssl(['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', msgFile, '-digest', 'sm3', '-pkeyopt', 'distid:', '-out', sig]).ok).toBe(true);
    expect(verifySignature('sm2', readFileSync(join(dir, 'ossl.pub.pem'), 'utf8'), message, readFileSync(sig).toString('hex'))).toBe(false);
  });

  it('signs and verifies checkpoints with Ed25519 by option, and a changed head breaks the signature', () => {
    const signer = loadOrCreateSigner({ algorithm: 'ed25519', privateKeyPath: join(dir, 'ed.key.pem'), publicKeyPath: join(dir, 'ed.pub.pem') });
    const cp = signCheckpoint({ id: 1, time: new Date().toISOString(), hashAlgorithm: 'sha256', heads: [{ department: 'b', deptSeq: 2, hash: 'a'.repeat(64) }, { department: 'a', deptSeq: 1, hash: 'b'.repeat(64) }], totalSeq: 3 }, signer);
    expect(cp.heads.map((h) => h.department)).toEqual(['a', 'b']);
    const key = { keyId: signer.keyId, algorithm: signer.algorithm, publicKeyPem: signer.publicKeyPem };
    expect(checkpointSignatureValid(cp, key)).toBe(true);
    expect(checkpointSignatureValid({ ...cp, totalSeq: 2 }, key)).toBe(false);
  });

  it('derives the public point sm-crypto-v2 derives, through OpenSSL, and refuses a scalar out of [1, n−1]', () => {
    const n = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123';
    const nMinus1 = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122';
    for (const d of [...Array.from({ length: 200 }, () => randomBytes(32).toString('hex')), `${'0'.repeat(63)}1`, nMinus1, `00${randomBytes(31).toString('hex')}`]) {
      if (BigInt(`0x${d}`) === 0n || BigInt(`0x${d}`) >= BigInt(`0x${n}`)) continue;
      expect(sm2PublicOf(d)).toBe(sm2v2.getPublicKeyFromPrivateKey(d));
    }
    for (const d of ['0'.repeat(64), n, 'f'.repeat(64), 'ab', 'x'.repeat(64)]) expect(() => sm2PublicOf(d)).toThrow(/SM2 private key/);
  });

  it('refuses a public key file that does not belong to the private key', () => {
    expect(() => loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'gen.key.pem'), publicKeyPath: join(dir, 'ossl.pub.pem') })).toThrow(/does not belong/);
    expect(() => loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'missing.key.pem'), publicKeyPath: join(dir, 'ossl.pub.pem') })).toThrow(/private key .* does not/);
  });
});

describe('a checkpoint key made by several processes at once', () => {
  it('gives every process opening a new store at the same moment one and the same key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-sign-race-'));
    const script = `import { loadOrCreateSigner } from ${JSON.stringify(new URL('../signing.ts', import.meta.url).href)};
      process.stdout.write(loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: ${JSON.stringify(join(dir, 'k.pem'))}, publicKeyPath: ${JSON.stringify(join(dir, 'k.pub.pem'))} }).keyId);`;
    const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const outputs = await Promise.all([run(), run(), run(), run(), run(), run()]);
    expect(new Set(outputs.map((o) => o.stdout)).size).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
