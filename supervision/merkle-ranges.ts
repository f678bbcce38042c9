/**
 * Merkle proofs over a chain in the store without reading the whole chain for each one. A complete,
 * aligned subtree of a chain never changes once its records exist (chains are append-only), so the
 * hashes of those of 256 leaves or more are remembered (≈ 2 per 256 records); any MTH(D[a:b]) that
 * RFC 9162's proofs ask for is then a few remembered subtrees and a few reads of at most 256 record
 * hashes. Before, every `supervisionRecord` or `consistencyProof` read and hashed the whole chain:
 * 1.0–3.1 s on the event loop for a chain of 166,000 records, now 1.7–6 ms once the chain was read once.
 */
import { inclusionProof, leafHash, MerkleFrontier, node, split, subproof } from './merkle.ts';
import type { HashAlgorithm } from './hashing.ts';

/** Record hashes of a chain: `limit` of them after chain position `afterDeptSeq` (StoreBackend.chainHashes). */
export type ReadChainHashes = (afterDeptSeq: number, limit: number) => Promise<string[]>;

/** Ranges of at most this many leaves are hashed from the records; complete aligned subtrees of this many or more are remembered. */
const BLOCK = 256;
/** Remembered subtrees per chain before the memory is cleared (≈ 100 MB of chain per 100,000). */
const MAX_REMEMBERED = 100_000;

/** Reads of record hashes between two turns of the event loop. */
const YIELD_EVERY = 8;

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
const fromHex = (h: string) => Buffer.from(h, 'hex');

/** The Merkle tree of one chain, read through `read` and remembered by complete subtree. */
export class ChainTree {
  private readonly algorithm: HashAlgorithm;
  private readonly read: ReadChainHashes;
  /** Complete aligned subtrees of BLOCK leaves or more, by `${size}:${start}`. */
  private readonly subtrees = new Map<string, Buffer>();
  /** Reads so far (see `leaves`). */
  private reads = 0;

  constructor(algorithm: HashAlgorithm, read: ReadChainHashes) {
    this.algorithm = algorithm;
    this.read = read;
  }

  /**
   * Remembers a complete aligned subtree, computed here or elsewhere (the checkpoints' frontier, which
   * reads every record once anyway, so the first proof of a chain need not read it again). Subtrees
   * smaller than BLOCK, or not complete and aligned, are ignored.
   */
  remember(start: number, size: number, hash: Buffer): void {
    if (size < BLOCK || !isPowerOfTwo(size) || start % size !== 0) return;
    if (this.subtrees.size >= MAX_REMEMBERED) this.subtrees.clear();
    this.subtrees.set(`${size}:${start}`, hash);
  }

  /** MTH(D[start : start + size]), hex. */
  async root(start: number, size: number): Promise<string> {
    return (await this.mth(start, size)).toString('hex');
  }

  /** PATH(m, D[0:n]): the audit path of leaf `m` in the tree of the first `n` leaves, hex. */
  async inclusion(m: number, n: number): Promise<string[]> {
    const path: Buffer[] = [];
    // RFC 9162 §2.1.3.1, the sub-path first, then its sibling's root.
    const walk = async (index: number, start: number, size: number): Promise<void> => {
      if (size <= 1) return;
      // A small tree whole: one read, its part of the path computed in memory.
      if (size <= BLOCK) return void path.push(...inclusionProof(this.algorithm, await this.leaves(start, size), index).map(fromHex));
      const k = split(size);
      if (index < k) {
        await walk(index, start, k);
        path.push(await this.mth(start + k, size - k));
      } else {
        await walk(index - k, start + k, size - k);
        path.push(await this.mth(start, k));
      }
    };
    await walk(m, 0, n);
    return path.map((b) => b.toString('hex'));
  }

  /** PROOF(m, D[0:n]): the consistency proof of the tree of `m` leaves with that of `n`, hex. */
  async consistency(m: number, n: number): Promise<string[]> {
    const proof: Buffer[] = [];
    // RFC 9162 §2.1.4.1 (SUBPROOF).
    const sub = async (from: number, start: number, size: number, whole: boolean): Promise<void> => {
      if (size <= BLOCK) return void proof.push(...subproof(this.algorithm, await this.leaves(start, size), from, whole).map(fromHex));
      if (from === size) {
        if (!whole) proof.push(await this.mth(start, size));
        return;
      }
      const k = split(size);
      if (from <= k) {
        await sub(from, start, k, whole);
        proof.push(await this.mth(start + k, size - k));
      } else {
        await sub(from - k, start + k, size - k, false);
        proof.push(await this.mth(start, k));
      }
    };
    if (m < n) await sub(m, 0, n, true);
    return proof.map((b) => b.toString('hex'));
  }

  private async mth(start: number, size: number): Promise<Buffer> {
    if (size >= BLOCK && isPowerOfTwo(size) && start % size === 0) return this.subtree(start, size);
    if (size <= BLOCK) return this.fromLeaves(start, size);
    const k = split(size);
    return node(this.algorithm, await this.mth(start, k), await this.mth(start + k, size - k));
  }

  /** A complete aligned subtree of BLOCK leaves or more: remembered. */
  private async subtree(start: number, size: number): Promise<Buffer> {
    const key = `${size}:${start}`;
    const known = this.subtrees.get(key);
    if (known) return known;
    const half = size / 2;
    const hash = size === BLOCK ? await this.fromLeaves(start, size) : node(this.algorithm, await this.subtree(start, half), await this.subtree(start + half, half));
    this.remember(start, size, hash);
    return hash;
  }

  /** MTH(D[start : start + size]) from the records' hashes, read in one call. */
  private async fromLeaves(start: number, size: number): Promise<Buffer> {
    // A frontier rather than merkleRoot over leaf texts: no hex round trip per node.
    const tree = new MerkleFrontier(this.algorithm);
    for (const h of await this.hashes(start, size)) tree.pushRecord(h);
    return fromHex(tree.root());
  }

  /** Leaf hashes of D[start : start + size]. */
  private async leaves(start: number, size: number): Promise<string[]> {
    return (await this.hashes(start, size)).map((h) => leafHash(this.algorithm, h));
  }

  /** Record hashes of D[start : start + size], read in one call; every few reads the event loop turns once. */
  private async hashes(start: number, size: number): Promise<string[]> {
    // The first proof of a long chain reads all of it (≈ 1 s for 166,000 records): other requests are served meanwhile.
    if (++this.reads % YIELD_EVERY === 0) await new Promise((next) => setImmediate(next));
    const hashes = await this.read(start, size);
    if (hashes.length !== size) throw new Error(`The chain ends before record ${start + size}: ${hashes.length} of ${size} records read after #${start}.`);
    return hashes;
  }
}
