import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, MerkleFrontier, merkleRoot } from '../merkle.ts';
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

  it('takes the subtrees a frontier forms, so even the first proof reads a few hundred record hashes', async () => {
    const n = 20_000;
    const { records, leaves, read, tree } = chain(n);
    const reported: [number, number, string][] = [];
    const f = new MerkleFrontier('sm3');
    f.onSubtree = (start, size, hash) => {
      reported.push([start, size, hash.toString('hex')]);
      tree.remember(start, size, hash);
    };
    for (const r of records.slice(0, 512)) f.pushRecord(r);
    // A subtree pushed whole is reported at its place too (the parallel verifier's workers push such).
    f.pushSubtree(512, Buffer.from(merkleRoot('sm3', leaves.slice(512, 1024)), 'hex'));
    for (const r of records.slice(1024)) f.pushRecord(r);
    expect(f.root()).toBe(merkleRoot('sm3', leaves));
    for (const [start, size, hash] of reported) expect(hash).toBe(merkleRoot('sm3', leaves.slice(start, start + size)));
    expect(reported.map(([start, size]) => `${start}+${size}`)).toEqual(expect.arrayContaining(['0+256', '256+256', '0+512', '512+512', '0+1024', '16384+2048']));
    expect(await tree.inclusion(12_345, n)).toEqual(inclusionProof('sm3', leaves, 12_345));
    expect(await tree.consistency(7_777, n)).toEqual(consistencyProof('sm3', leaves, 7_777));
    expect(read.rows).toBeLessThanOrEqual(4 * 256);
  });

  it('refuses a tree larger than the chain it can read', async () => {
    const { tree } = chain(300);
    await expect(tree.root(0, 301)).rejects.toThrow(/The chain ends before record 301/);
  });
});
