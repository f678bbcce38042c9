import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, MerkleFrontier, merkleRoot, verifyConsistency, verifyInclusion } from '../merkle.ts';
import type { HashAlgorithm } from '../hashing.ts';

const leavesOf = (alg: HashAlgorithm, n: number) =>
  Array.from({ length: n }, (_, i) => leafHash(alg, createHash(alg).update(`record ${i + 1}`).digest('hex')));

/** Flips one hex digit of one hash of the proof. */
const altered = (proof: string[], at: number) => proof.map((h, i) => (i === at ? (h[0] === '0' ? '1' : '0') + h.slice(1) : h));

describe('Merkle trees (RFC 9162)', () => {
  it('matches the RFC 6962/9162 SHA-256 test vector for the empty tree and hashes leaves with a 0x00 prefix', () => {
    expect(merkleRoot('sha256', [])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const h = 'ab'.repeat(32);
    expect(leafHash('sha256', h)).toBe(createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(h, 'hex')])).digest('hex'));
  });

  for (const alg of ['sm3', 'sha256'] as const) {
    for (const n of [1, 2, 3, 1000, 1001]) {
      it(`${alg}: verifies inclusion of sample leaves and consistency from sample sizes in a chain of ${n}, and rejects one altered hash`, () => {
        const leaves = leavesOf(alg, n);
        const root = merkleRoot(alg, leaves);
        const indexes = [...new Set([0, 1, Math.floor(n / 2), n - 2, n - 1].filter((i) => i >= 0 && i < n))];
        for (const i of indexes) {
          const proof = inclusionProof(alg, leaves, i);
          expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
          expect(verifyInclusion(alg, i, n, leaves[i]!, proof, root)).toBe(true);
          expect(verifyInclusion(alg, i, n, altered([leaves[i]!], 0)[0]!, proof, root)).toBe(false);
          for (let at = 0; at < proof.length; at++) expect(verifyInclusion(alg, i, n, leaves[i]!, altered(proof, at), root)).toBe(false);
          expect(verifyInclusion(alg, i, n, leaves[i]!, proof, altered([root], 0)[0]!)).toBe(false);
          if (n > 1) expect(verifyInclusion(alg, (i + 1) % n, n, leaves[i]!, proof, root)).toBe(false);
        }
        for (const m of [...new Set([1, 2, 3, Math.floor(n / 2), 512, n - 1, n].filter((m) => m >= 1 && m <= n))]) {
          const fromRoot = merkleRoot(alg, leaves.slice(0, m));
          const proof = consistencyProof(alg, leaves, m);
          expect(verifyConsistency(alg, m, n, fromRoot, root, proof)).toBe(true);
          for (let at = 0; at < proof.length; at++) expect(verifyConsistency(alg, m, n, fromRoot, root, altered(proof, at))).toBe(false);
          if (m < n) {
            expect(verifyConsistency(alg, m, n, altered([fromRoot], 0)[0]!, root, proof)).toBe(false);
            expect(verifyConsistency(alg, m, n, fromRoot, altered([root], 0)[0]!, proof)).toBe(false);
          }
        }
      });
    }
  }

  it('refuses a consistency proof asked backwards or past the tree, and inclusion of a leaf outside it', () => {
    const leaves = leavesOf('sm3', 5);
    expect(() => consistencyProof('sm3', leaves, 6)).toThrow(RangeError);
    expect(() => consistencyProof('sm3', leaves, 0)).toThrow(RangeError);
    expect(() => inclusionProof('sm3', leaves, 5)).toThrow(RangeError);
    const r3 = merkleRoot('sm3', leaves.slice(0, 3));
    const r5 = merkleRoot('sm3', leaves);
    expect(verifyConsistency('sm3', 5, 3, r5, r3, consistencyProof('sm3', leaves, 3))).toBe(false);
  });

  it('tells a forked history from an extension: a tree whose third leaf changed is not consistent with the first', () => {
    const leaves = leavesOf('sm3', 8);
    const forked = [...leaves];
    forked[2] = leafHash('sm3', 'cd'.repeat(32));
    const r4 = merkleRoot('sm3', leaves.slice(0, 4));
    expect(verifyConsistency('sm3', 4, 8, r4, merkleRoot('sm3', forked), consistencyProof('sm3', forked, 4))).toBe(false);
  });
});

describe('MerkleFrontier', () => {
  it('gives the same root as the whole tree after every leaf', () => {
    const f = new MerkleFrontier('sm3');
    const hashes = Array.from({ length: 70 }, (_, i) => createHash('sm3').update(String(i)).digest('hex'));
    hashes.forEach((h, i) => {
      f.pushRecord(h);
      expect(f.root()).toBe(merkleRoot('sm3', hashes.slice(0, i + 1).map((x) => leafHash('sm3', x))));
    });
  });
});

describe('Merkle roots against RFC 9162 §2.1.1 written out with createHash', () => {
  // MTH(D[n]) = H(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two below n; leaves already hashed.
  const mth = (alg: HashAlgorithm, d: Buffer[]): Buffer => {
    if (d.length === 1) return d[0]!;
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return createHash(alg).update(Buffer.from([1])).update(mth(alg, d.slice(0, k))).update(mth(alg, d.slice(k))).digest();
  };
  for (const alg of ['sm3', 'sha256'] as const) {
    it(`${alg}: merkleRoot, the frontier and the leaf hash agree with the definition for 1 … 9 and 1001 leaves`, () => {
      const records = Array.from({ length: 1001 }, (_, i) => createHash(alg).update(`r${i}`).digest('hex'));
      const leaves = records.map((r) => createHash(alg).update(Buffer.from([0])).update(Buffer.from(r, 'hex')).digest());
      const f = new MerkleFrontier(alg);
      records.forEach((r, i) => {
        f.pushRecord(r);
        const n = i + 1;
        if (n > 9 && n !== 1001) return;
        const want = mth(alg, leaves.slice(0, n)).toString('hex');
        expect(f.root()).toBe(want);
        expect(merkleRoot(alg, records.slice(0, n).map((x) => leafHash(alg, x)))).toBe(want);
      });
    });
  }
});
