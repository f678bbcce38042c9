/**
 * The parallel verifier's work on one seq range of rows (run by hash-check-worker.ts): it checks
 * everything that can be checked inside the range — each record's hash, seq continuity, each
 * department's deptSeq and prev-hash links, outcomes against open intents — hashes the range's Merkle
 * leaves into complete subtrees, folds as much of every signed root as lies in the range (see
 * `joinPoint`), and summarises what links it to the ranges around it. It only has to
 * prove a store perfect: at the first doubt it gives up (`perfect: false`) and the store is verified
 * again the plain way, which names the problems.
 */
import { hash as oneShot } from 'node:crypto';
import type { HashAlgorithm } from './hashing.ts';
import { COL, numberOf, rowHashInput, textOf } from './row-hash.ts';

/** What a range check is told besides its rows. */
export interface RangeSpec {
  hashAlgorithm: HashAlgorithm;
  /** Rows with seq > afterSeq … */
  afterSeq: number;
  /** … and seq ≤ upToSeq (null: to the end). */
  upToSeq: number | null;
  /** The store's departments (from its heads); a record of any other department is a doubt. */
  departments: string[];
  /** Per department (same index): chain positions a checkpoint names as a head. */
  heads: number[][];
  /** Per department: tree sizes whose Merkle root a checkpoint signs. */
  roots: number[][];
  /** Shared Int32Array over seq: department index + 1 of each open (PENDING) intent, else 0. */
  openIntents: SharedArrayBuffer;
  /** Shared Uint8Array over seq: definitive outcomes seen of each intent. */
  outcomes: SharedArrayBuffer;
}

/** One department's part of a range. */
export interface DepartmentPart {
  /** Index in `departments`. */
  department: number;
  firstDeptSeq: number;
  firstPrevHash: string;
  lastDeptSeq: number;
  lastHash: string;
  /** The part's Merkle stack at its end: complete aligned subtrees covering its leaves in order, [first leaf index, size, hash hex]. */
  subtrees: [number, number, string][];
  /**
   * The stack where a signed root's left part ends (a join point past the part's first leaf), as it was
   * when the chain reached that size: [size, the subtrees then, as in `subtrees`].
   */
  cuts: [number, [number, number, string][]][];
  /** Each signed tree size the part reaches: [size, its join point, the fold of the subtrees between the two (hex; '' when they meet)]. */
  roots: [number, number, string][];
  /** Checkpoint heads found in the range: [deptSeq, record hash, seq]. */
  heads: [number, string, number][];
}

/** A range's answer. */
export interface RangeSummary {
  /** False at the first doubt; the rest is then meaningless. */
  perfect: boolean;
  /** Why not, for debugging. */
  reason?: string;
  /** Rows checked. */
  count: number;
  /** Highest seq checked (afterSeq when none). */
  lastSeq: number;
  parts: DepartmentPart[];
  /** Outcomes whose intent lies in an earlier range, as triples: intent seq, department index, 1 if definitive. */
  laterOutcomes: number[];
  /** The checkpoint signatures the worker was asked to check besides its rows (hash-check-worker.ts), in order: whether each holds. */
  signatures?: boolean[];
}

interface Chain {
  part: DepartmentPart;
  roots: Set<number>;
  heads: Set<number>;
  /** Leaves of the chain before the range (the part's first leaf index). */
  before: number;
  /** Sizes at which the stack is written down: the join points of the roots. */
  cuts: Set<number>;
  // The range's Merkle stack: complete subtrees, first leaf index, size and hash of each (bytes as a
  // latin1 string: Node's one-shot hash answers a string ≈ 1.2 µs sooner than a Buffer, see digestBytes).
  starts: number[];
  sizes: number[];
  hashes: string[];
}

/** Checks rows handed in seq order; `add` returns false once the range is not perfect. */
export class RangeCheck {
  private readonly spec: RangeSpec;
  private readonly index = new Map<string, number>();
  private readonly chains: (Chain | undefined)[] = [];
  private readonly openIntents: Int32Array;
  private readonly outcomes: Uint8Array;
  private readonly leafInput = Buffer.alloc(33);
  private readonly nodeInput = Buffer.alloc(65);
  private readonly summary: RangeSummary;
  private expectedSeq: number;

  constructor(spec: RangeSpec) {
    this.spec = spec;
    spec.departments.forEach((d, i) => this.index.set(d, i));
    this.openIntents = new Int32Array(spec.openIntents);
    this.outcomes = new Uint8Array(spec.outcomes);
    this.nodeInput[0] = 1;
    this.expectedSeq = spec.afterSeq + 1;
    this.summary = { perfect: true, count: 0, lastSeq: spec.afterSeq, parts: [], laterOutcomes: [] };
  }

  /** True when `seq` lies past the range (the caller stops reading). */
  past(row: readonly unknown[]): boolean {
    const seq = numberOf(row[COL.seq]);
    return this.spec.upToSeq !== null && seq !== null && seq > this.spec.upToSeq;
  }

  /** Checks one row of the range; false (and the summary says why) at the first doubt. */
  add(row: readonly unknown[]): boolean {
    if (!this.summary.perfect) return false;
    const seq = numberOf(row[COL.seq]);
    if (seq !== this.expectedSeq) return this.fail(`seq ${seq} where ${this.expectedSeq} was due`);
    if (seq >= this.openIntents.length) return this.fail(`seq ${seq} past the shared arrays (the store grew)`);
    this.expectedSeq++;
    const stored = textOf(row[COL.hash]) ?? '';
    let text: string;
    try {
      text = rowHashInput(row);
    } catch {
      return this.fail(`seq ${seq}: the hash input cannot be written`);
    }
    if (oneShot(this.spec.hashAlgorithm, text, 'hex') !== stored) return this.fail(`seq ${seq}: hash`);
    const d = this.index.get(textOf(row[COL.department]) ?? '');
    if (d === undefined) return this.fail(`seq ${seq}: a department without a head`);
    const deptSeq = numberOf(row[COL.deptSeq]) ?? 0;
    const prevHash = textOf(row[COL.prevHash]) ?? '';
    let chain = this.chains[d];
    if (!chain) {
      const part: DepartmentPart = { department: d, firstDeptSeq: deptSeq, firstPrevHash: prevHash, lastDeptSeq: deptSeq, lastHash: stored, subtrees: [], cuts: [], roots: [], heads: [] };
      this.summary.parts.push(part);
      if (!Number.isSafeInteger(deptSeq) || deptSeq < 1) return this.fail(`seq ${seq}: deptSeq ${deptSeq}`);
      const before = deptSeq - 1;
      const cuts = new Set<number>();
      for (const size of this.spec.roots[d]!) {
        const at = size > before ? joinPoint(size, before) : before;
        if (at > before) cuts.add(at);
      }
      chain = { part, roots: new Set(this.spec.roots[d]), heads: new Set(this.spec.heads[d]), before, cuts, starts: [], sizes: [], hashes: [] };
      this.chains[d] = chain;
    } else {
      if (deptSeq !== chain.part.lastDeptSeq + 1 || prevHash !== chain.part.lastHash) return this.fail(`seq ${seq}: chain link`);
      chain.part.lastDeptSeq = deptSeq;
      chain.part.lastHash = stored;
    }
    if (!this.kind(row, seq, d)) return false;
    this.pushLeaf(chain, deptSeq - 1, stored);
    if (chain.cuts.has(deptSeq)) chain.part.cuts.push([deptSeq, this.stackOf(chain)]);
    if (chain.roots.has(deptSeq) && !this.foldRoot(chain, deptSeq)) return this.fail(`seq ${seq}: the Merkle stack does not meet the join point of size ${deptSeq}`);
    if (chain.heads.has(deptSeq)) chain.part.heads.push([deptSeq, stored, seq]);
    this.summary.count++;
    this.summary.lastSeq = seq;
    return true;
  }

  /** The summary, once every row of the range was added. */
  finish(): RangeSummary {
    if (this.summary.perfect) for (const chain of this.chains) if (chain) chain.part.subtrees = this.stackOf(chain);
    return this.summary;
  }

  private fail(reason: string): false {
    this.summary.perfect = false;
    this.summary.reason = reason;
    return false;
  }

  /** The outcome→intent rules of verify.ts's checkKind, with intents in shared arrays indexed by seq. */
  private kind(row: readonly unknown[], seq: number, d: number): boolean {
    const kind = textOf(row[COL.kind]);
    const outcome = textOf(row[COL.outcome]);
    if (kind === 'intent') {
      if (outcome === 'PENDING') this.openIntents[seq] = d + 1;
      return true;
    }
    if (kind === 'access') return true;
    if (kind !== 'outcome') return this.fail(`seq ${seq}: kind ${kind}`);
    const intentSeq = numberOf(row[COL.intentSeq]);
    if (intentSeq === null || !Number.isSafeInteger(intentSeq) || intentSeq < 1 || intentSeq >= seq) return this.fail(`seq ${seq}: intentSeq ${intentSeq}`);
    const definitive = outcome !== 'OUTCOME_UNKNOWN';
    if (intentSeq <= this.spec.afterSeq) {
      // Written by the range before this one, perhaps not yet: the main thread checks it afterwards.
      this.summary.laterOutcomes.push(intentSeq, d, definitive ? 1 : 0);
      return true;
    }
    if (this.openIntents[intentSeq] !== d + 1) return this.fail(`seq ${seq}: not an open intent`);
    if (definitive && Atomics.add(this.outcomes, intentSeq, 1) !== 0) return this.fail(`seq ${seq}: a second outcome`);
    return true;
  }

  private pushLeaf(chain: Chain, index: number, recordHashHex: string): void {
    this.leafInput[0] = 0;
    this.leafInput.write(recordHashHex, 1, 'hex');
    let hash = oneShot(this.spec.hashAlgorithm, this.leafInput, 'binary');
    let start = index;
    let size = 1;
    const { starts, sizes, hashes } = chain;
    // Merge with the subtree on the left while it has the same size and the pair is aligned (RFC 9162's
    // shape); subtrees whose partner lies before the range stay as they are, for the main thread.
    for (let top = sizes.length - 1; top >= 0 && sizes[top] === size && starts[top]! % (2 * size) === 0; top--) {
      hash = this.node(hashes[top]!, hash);
      start = starts[top]!;
      size *= 2;
      starts.pop();
      sizes.pop();
      hashes.pop();
    }
    starts.push(start);
    sizes.push(size);
    hashes.push(hash);
  }

  /** An inner node's hash, H(0x01 ‖ left ‖ right), over hashes as latin1 strings, into the one kept input buffer. */
  private node(left: string, right: string): string {
    this.nodeInput.write(left, 1, 'latin1');
    this.nodeInput.write(right, 33, 'latin1');
    return oneShot(this.spec.hashAlgorithm, this.nodeInput, 'binary');
  }

  /** The stack as it is now, hashes in hex. */
  private stackOf(chain: Chain): [number, number, string][] {
    return chain.sizes.map((size, i) => [chain.starts[i]!, size, Buffer.from(chain.hashes[i]!, 'latin1').toString('hex')]);
  }

  /**
   * At a signed size: folds the subtrees from its join point to the top of the stack (the right part of
   * its root, which lies in this range) and notes it; false when the stack does not meet the join point.
   */
  private foldRoot(chain: Chain, size: number): boolean {
    const at = joinPoint(size, chain.before);
    const { starts, sizes, hashes } = chain;
    let i = starts.length - 1;
    let right: string | null = null;
    for (; i >= 0 && starts[i]! >= at; i--) {
      right = right === null ? hashes[i]! : this.node(hashes[i]!, right);
    }
    if ((i < 0 ? chain.before : starts[i]! + sizes[i]!) !== at) return false;
    chain.part.roots.push([size, at, right === null ? '' : Buffer.from(right, 'latin1').toString('hex')]);
    return true;
  }
}

/**
 * Where the root of a tree of `size` leaves splits between what lies before a range's first leaf
 * (`before` leaves) and what lies in it. RFC 9162's root of n leaves folds, right to left, the complete
 * subtrees of n's binary digits, largest first; the join point is the smallest of their edges (sums of
 * n's leading digits) that is not below `before`. The subtrees right of it lie wholly in the range and
 * are each one subtree of the range's stack, so the range's worker folds them; the ones left of it are
 * the subtrees of a tree of exactly join-point leaves, which the main thread has from the ranges
 * before (and from the range's stack at that size, written down as a cut). 0 when `before` is 0.
 */
export function joinPoint(size: number, before: number): number {
  let edge = 0;
  if (edge >= before) return edge;
  let digit = 1;
  while (digit * 2 <= size) digit *= 2;
  let rest = size;
  for (; digit >= 1; digit /= 2) {
    if (rest < digit) continue;
    edge += digit;
    rest -= digit;
    if (edge >= before) return edge;
  }
  return edge;
}
