/**
 * A checkpoint is signed inside a transaction that holds the store's write lock, and SM2's first
 * signature in a process builds sm-crypto-v2's tables (tens of ms): the signer is warmed first, outside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointSignatureValid } from '../checkpoint.ts';
import { addSignedCheckpoint } from '../maintenance.ts';
import { openBackend } from '../open-backend.ts';
import { generateSm2KeyPair, sm2PrivatePem } from '../sm2-keys.ts';
import { signerFromPrivateKey, verifySignature, type Signer } from '../signing.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('signing a checkpoint', () => {
  it('warms the signer before the transaction that holds the write lock, and the checkpoint verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-cp-warm-'));
    dirs.push(dir);
    const db = openBackend(join(dir, 's.db'), {});
    await db.migrate('sm3');
    const real = signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair()));
    const events: string[] = [];
    const signer: Signer = { ...real, warm: () => (events.push('warm'), real.warm()), sign: (m) => (events.push('sign'), real.sign(m)) };
    const addCheckpoint = db.addCheckpoint.bind(db);
    db.addCheckpoint = (make) => (events.push('lock'), addCheckpoint(make));
    const cp = await addSignedCheckpoint(db, signer, 'sm3');
    expect(events).toEqual(['warm', 'lock', 'sign']);
    expect(checkpointSignatureValid(cp, { keyId: real.keyId, algorithm: 'sm2', publicKeyPem: real.publicKeyPem })).toBe(true);
    await db.close();
  });

  it('signs what verifies whether warmed before, twice, or after its first signature', () => {
    const a = signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair()));
    a.warm();
    a.warm();
    expect(verifySignature('sm2', a.publicKeyPem, 'message', a.sign('message'))).toBe(true);
    const b = signerFromPrivateKey('sm2', sm2PrivatePem(generateSm2KeyPair()));
    const first = b.sign('message');
    b.warm();
    expect(verifySignature('sm2', b.publicKeyPem, 'message', first)).toBe(true);
    expect(verifySignature('sm2', b.publicKeyPem, 'message', b.sign('message'))).toBe(true);
    expect(verifySignature('sm2', b.publicKeyPem, 'other', b.sign('message'))).toBe(false);
  });
});
