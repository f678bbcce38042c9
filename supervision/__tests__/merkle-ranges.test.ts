import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, merkleRoot } from '../merkle.ts';
import { ChainTree } from '../merkle-ranges.ts';

/** A chain of `n` record hashes and a tree over it that counts what it reads. */
function chain(n: number) {
  const records = Array.from({ length: n }, (_, i) => createHash('sm3').update(`record ${i + 1}`).digest('hex'));
  const leaves = records.map((r) => leafHash('sm3', r));
  const read = { calls: 0, rows: 0 };
  const tree = new ChainTree('sm3', async (after, limit) => {
    const out = records.slice(after, after + limit);
    read.calls++;
    read.rows += out.length;
    return out;
  });
  return { records, leaves, read, tree };
}

describe('Merkle proofs over a chain read by range, subtrees remembered', () => {
  for (const n of [1, 2, 3, 255, 256, 257, 1000, 1001, 2048, 3001]) {
    it(`gives the same roots, inclusion and consistency proofs as the whole-tree functions for a chain of ${n}`, async () => {
      const { leaves, tree } = chain(n);
      expect(await tree.root(0, n)).toBe(merkleRoot('sm3', leaves));
      for (const m of [...new Set([0, 1, 255, 256, Math.floor(n / 2), n - 2, n - 1].filter((m) => m >= 0 && m < n))]) {
        expect(await tree.inclusion(m, n)).toEqual(inclusionProof('sm3', leaves, m));
      }
      for (const from of [...new Set([1, 2, 3, 256, 257, 512, Math.floor(n / 2), n - 1, n].filter((f) => f >= 1 && f <= n))]) {
        expect(await tree.root(0, from)).toBe(merkleRoot('sm3', leaves.slice(0, from)));
        expect(await tree.consistency(from, n)).toEqual(consistencyProof('sm3', leaves, from));
      }
    });
  }

  it('reads the chain once: later proofs read a few hundred record hashes, not the chain', async () => {
    const n = 20_000;
    const { leaves, read, tree } = chain(n);
    await tree.inclusion(5, n);
    expect(read.rows).toBeGreaterThanOrEqual(n - 256);
    read.rows = 0;
    expect(await tree.inclusion(12_345, n)).toEqual(inclusionProof('sm3', leaves, 12_345));
    expect(await tree.consistency(7_777, n)).toEqual(consistencyProof('sm3', leaves, 7_777));
    expect(read.rows).toBeLessThanOrEqual(4 * 256);
  });

  it('refuses a tree larger than the chain it can read', async () => {
    const { tree } = chain(300);
    await expect(tree.root(0, 301)).rejects.toThrow(/The chain ends before record 301/);
  });
});
