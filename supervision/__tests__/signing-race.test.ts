/**
 * The one interleaving of two processes opening a new store at once that crypto.test's six real
 * processes hit only rarely: this process looks for the keys, and the other process finishes making
 * its pair between this one's two looks. node:fs's existsSync is wrapped so that the other process's
 * work happens exactly there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Run once, right after the first existsSync answers: the other process's whole key making. */
let afterFirstLook: (() => void) | undefined;

vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return {
    ...fs,
    existsSync: (path: Parameters<typeof fs.existsSync>[0]) => {
      const seen = fs.existsSync(path);
      const then = afterFirstLook;
      afterFirstLook = undefined;
      then?.();
      return seen;
    },
  };
});

const { loadOrCreateSigner, signerFromPrivateKey } = await import('../signing.ts');
const { generateSm2KeyPair, sm2PrivatePem } = await import('../sm2-keys.ts');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a checkpoint key another process finishes making while this one looks', () => {
  it('is read and used, not taken for a public key whose private key was lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-sign-look-'));
    dirs.push(dir);
    const privateKeyPath = join(dir, 'k.pem');
    const publicKeyPath = join(dir, 'k.pub.pem');
    const theirsPem = sm2PrivatePem(generateSm2KeyPair());
    const theirs = signerFromPrivateKey('sm2', theirsPem);
    // The other process's order: the private key linked into place, then its public key written.
    afterFirstLook = () => {
      writeFileSync(privateKeyPath, theirsPem, { mode: 0o600, flag: 'wx' });
      writeFileSync(publicKeyPath, theirs.publicKeyPem, { flag: 'wx' });
    };
    expect(loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath, publicKeyPath }).keyId).toBe(theirs.keyId);
  });

  it('still refuses a public key whose private key is really missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-sign-look-'));
    dirs.push(dir);
    const publicKeyPath = join(dir, 'k.pub.pem');
    writeFileSync(publicKeyPath, signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair())).publicKeyPem);
    expect(() => loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(dir, 'k.pem'), publicKeyPath })).toThrow(/exists but its private key/);
  });
});
