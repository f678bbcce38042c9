/**
 * Merkle trees over a department chain, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines them,
 * with the store's hash (SM3 by default, SHA-256 where the store uses it). Leaf i is the chain's
 * record i+1: its leaf hash is H(0x00 ‖ record hash bytes), an inner node H(0x01 ‖ left ‖ right).
 * A checkpoint signs each chain's tree size and root; an inclusion proof shows one record is in a
 * signed tree with O(log n) hashes, a consistency proof that a later tree extends an earlier one.
 */
import { digestBytes, digestHex, type HashAlgorithm } from './hashing.ts';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** The leaf hash of a record (hex in, hex out). */
export function leafHash(algorithm: HashAlgorithm, recordHashHex: string): string {
  return digestHex(algorithm, Buffer.concat([LEAF, Buffer.from(recordHashHex, 'hex')]));
}

/** An inner node's hash, H(0x01 ‖ left ‖ right). */
export function node(algorithm: HashAlgorithm, left: Buffer, right: Buffer): Buffer {
  return digestBytes(algorithm, Buffer.concat([NODE, left, right]));
}

/** Largest power of two smaller than n (n ≥ 2). */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes (hex); the empty tree's root is H(""). */
export function merkleRoot(algorithm: HashAlgorithm, leaves: readonly string[]): string {
  if (leaves.length === 0) return digestHex(algorithm, '');
  return rootOf(algorithm, leaves.map((l) => Buffer.from(l, 'hex'))).toString('hex');
}

// Iterative: a stack of complete subtrees, merged as soon as two of equal size meet (RFC 9162 shape).
function rootOf(algorithm: HashAlgorithm, leaves: readonly Buffer[]): Buffer {
  const stack: { size: number; hash: Buffer }[] = [];
  for (const leaf of leaves) {
    let cur = { size: 1, hash: leaf };
    while (stack.length && stack[stack.length - 1]!.size === cur.size) {
      const left = stack.pop()!;
      cur = { size: left.size * 2, hash: node(algorithm, left.hash, cur.hash) };
    }
    stack.push(cur);
  }
  let hash = stack.pop()!.hash;
  while (stack.length) hash = node(algorithm, stack.pop()!.hash, hash);
  return hash;
}

/** PATH(m, D[n]): the audit path of leaf `index` (0-based) in the tree of `leaves`. */
export function inclusionProof(algorithm: HashAlgorithm, leaves: readonly string[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`Leaf ${index} is not in a tree of ${leaves.length}.`);
  const bufs = leaves.map((l) => Buffer.from(l, 'hex'));
  const path: Buffer[] = [];
  const walk = (m: number, d: readonly Buffer[]): void => {
    if (d.length <= 1) return;
    const k = split(d.length);
    if (m < k) {
      walk(m, d.slice(0, k));
      path.push(rootOf(algorithm, d.slice(k)));
    } else {
      walk(m - k, d.slice(k));
      path.push(rootOf(algorithm, d.slice(0, k)));
    }
  };
  walk(index, bufs);
  return path.map((b) => b.toString('hex'));
}

/** PROOF(m, D[n]): the consistency proof of the tree of the first `fromSize` leaves with the whole tree. */
export function consistencyProof(algorithm: HashAlgorithm, leaves: readonly string[], fromSize: number): string[] {
  if (!Number.isInteger(fromSize) || fromSize < 1 || fromSize > leaves.length) {
    throw new RangeError(`A consistency proof goes from 1 … ${leaves.length} leaves, not from ${fromSize}.`);
  }
  return fromSize < leaves.length ? subproof(algorithm, leaves, fromSize, true) : [];
}

/** SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1 over leaf hashes (hex, 1 ≤ m ≤ n), hex. */
export function subproof(algorithm: HashAlgorithm, leaves: readonly string[], m: number, whole: boolean): string[] {
  const proof: Buffer[] = [];
  const sub = (m: number, d: readonly Buffer[], whole: boolean): void => {
    if (m === d.length) {
      if (!whole) proof.push(rootOf(algorithm, d));
      return;
    }
    const k = split(d.length);
    if (m <= k) {
      sub(m, d.slice(0, k), whole);
      proof.push(rootOf(algorithm, d.slice(k)));
    } else {
      sub(m - k, d.slice(k), false);
      proof.push(rootOf(algorithm, d.slice(0, k)));
    }
  };
  sub(m, leaves.map((l) => Buffer.from(l, 'hex')), whole);
  return proof.map((b) => b.toString('hex'));
}

const isHex = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

/** RFC 9162 §2.1.3.2: true when `proof` places leaf hash `leaf` at `index` of the tree (`size`, `root`). */
export function verifyInclusion(algorithm: HashAlgorithm, index: number, size: number, leaf: string, proof: readonly string[], root: string): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHex(leaf) || !isHex(root) || !Array.isArray(proof) || !proof.every(isHex)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf, 'hex');
  for (const hex of proof) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(algorithm, p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(algorithm, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === root;
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree (`toSize`, `toRoot`) extends (`fromSize`, `fromRoot`). */
export function verifyConsistency(
  algorithm: HashAlgorithm,
  fromSize: number,
  toSize: number,
  fromRoot: string,
  toRoot: string,
  proof: readonly string[],
): boolean {
  if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize) || fromSize < 1 || fromSize > toSize) return false;
  if (!isHex(fromRoot) || !isHex(toRoot) || !Array.isArray(proof) || !proof.every(isHex)) return false;
  if (fromSize === toSize) return proof.length === 0 && fromRoot === toRoot;
  if (proof.length === 0) return false;
  const path = (fromSize & (fromSize - 1)) === 0 ? [fromRoot, ...proof] : [...proof];
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!, 'hex');
  let sr: Buffer = fr;
  for (const hex of path.slice(1)) {
    const c = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(algorithm, c, fr);
      sr = node(algorithm, c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(algorithm, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.toString('hex') === fromRoot && sr.toString('hex') === toRoot;
}

/**
 * The right edge of a growing tree: O(log n) complete subtrees, enough to give the root after every
 * leaf without keeping the leaves. The store and the verifier use it to compute each chain's root.
 */
export class MerkleFrontier {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  /** Leaves pushed so far. */
  size = 0;
  private readonly algorithm: HashAlgorithm;
  private readonly leafInput = Buffer.alloc(1 + 32);
  /** Told of each complete subtree above a single leaf as it forms: its first leaf, size and hash (e.g. to remember it for proofs). */
  onSubtree: ((start: number, size: number, hash: Buffer) => void) | null = null;
  constructor(algorithm: HashAlgorithm) {
    this.algorithm = algorithm;
  }

  /** Appends the leaf of a record (its record hash, hex). */
  pushRecord(recordHashHex: string): void {
    // The same hashes as leafHash and node, one-shot over one buffer (a chain of a million records costs two million of them).
    const written = recordHashHex.length === 64 ? this.leafInput.write(recordHashHex, 1, 'hex') : 0;
    const leaf = written === 32 ? digestBytes(this.algorithm, this.leafInput) : Buffer.from(leafHash(this.algorithm, recordHashHex), 'hex');
    this.merge({ size: 1, hash: leaf });
  }

  /**
   * Appends a complete subtree of `size` leaves (a power of two) whose hash is `hash`, as if its leaves
   * were pushed one by one: the parallel verifier's workers hash such subtrees of their ranges. The tree's
   * size must be a multiple of `size` (RFC 9162's shape); throws otherwise.
   */
  pushSubtree(size: number, hash: Buffer): void {
    if (!Number.isSafeInteger(size) || size < 1 || 2 ** Math.round(Math.log2(size)) !== size || this.size % size !== 0) {
      throw new RangeError(`A subtree of ${size} leaves cannot follow ${this.size} leaves.`);
    }
    this.merge({ size, hash });
    this.size += size - 1;
  }

  private merge(leaf: { size: number; hash: Buffer }): void {
    const end = this.size + leaf.size;
    let cur = leaf;
    if (this.onSubtree && cur.size > 1) this.onSubtree(end - cur.size, cur.size, cur.hash);
    while (this.stack.length && this.stack[this.stack.length - 1]!.size === cur.size) {
      const left = this.stack.pop()!;
      cur = { size: left.size * 2, hash: node(this.algorithm, left.hash, cur.hash) };
      this.onSubtree?.(end - cur.size, cur.size, cur.hash);
    }
    this.stack.push(cur);
    this.size++;
  }

  /** A frontier of the same leaves, to be grown apart from this one. */
  copy(): MerkleFrontier {
    const other = new MerkleFrontier(this.algorithm);
    other.stack.push(...this.stack); // entries are never changed in place
    other.size = this.size;
    return other;
  }

  /** The hashes of its complete subtrees, largest (leftmost) first: RFC 9162's root folds them right to left. */
  subtreeHashes(): Buffer[] {
    return this.stack.map((entry) => entry.hash);
  }

  /** The root of the tree of the leaves pushed so far. */
  root(): string {
    if (this.stack.length === 0) return digestHex(this.algorithm, '');
    return foldSubtrees(this.algorithm, this.subtreeHashes()).toString('hex');
  }
}

/**
 * The root over complete subtrees given left to right (a frontier's, largest first), folded right to
 * left as RFC 9162 shapes a tree: H(s₁ ‖ H(s₂ ‖ … H(sₖ₋₁ ‖ sₖ))). At least one subtree.
 */
export function foldSubtrees(algorithm: HashAlgorithm, subtrees: readonly Buffer[]): Buffer {
  let hash = subtrees[subtrees.length - 1]!;
  for (let i = subtrees.length - 2; i >= 0; i--) hash = node(algorithm, subtrees[i]!, hash);
  return hash;
}
