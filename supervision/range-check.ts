/**
 * The parallel verifier's work on one seq range of rows (run by hash-check-worker.ts): it checks
 * everything that can be checked inside the range — each record's hash, seq continuity, each
 * department's deptSeq and prev-hash links, outcomes against open intents — hashes the range's Merkle
 * leaves into complete subtrees, and summarises what links it to the ranges around it. It only has to
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
  /** Complete Merkle subtrees covering the part's leaves in order, cut at every signed tree size: [first leaf index, size, hash hex]. */
  subtrees: [number, number, string][];
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
      const part: DepartmentPart = { department: d, firstDeptSeq: deptSeq, firstPrevHash: prevHash, lastDeptSeq: deptSeq, lastHash: stored, subtrees: [], heads: [] };
      chain = { part, roots: new Set(this.spec.roots[d]), heads: new Set(this.spec.heads[d]), starts: [], sizes: [], hashes: [] };
      this.chains[d] = chain;
      this.summary.parts.push(part);
      if (!Number.isSafeInteger(deptSeq) || deptSeq < 1) return this.fail(`seq ${seq}: deptSeq ${deptSeq}`);
    } else {
      if (deptSeq !== chain.part.lastDeptSeq + 1 || prevHash !== chain.part.lastHash) return this.fail(`seq ${seq}: chain link`);
      chain.part.lastDeptSeq = deptSeq;
      chain.part.lastHash = stored;
    }
    if (!this.kind(row, seq, d)) return false;
    this.pushLeaf(chain, deptSeq - 1, stored);
    if (chain.roots.has(deptSeq)) this.flush(chain);
    if (chain.heads.has(deptSeq)) chain.part.heads.push([deptSeq, stored, seq]);
    this.summary.count++;
    this.summary.lastSeq = seq;
    return true;
  }

  /** The summary, once every row of the range was added. */
  finish(): RangeSummary {
    if (this.summary.perfect) for (const chain of this.chains) if (chain) this.flush(chain);
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
      this.nodeInput.write(hashes[top]!, 1, 'latin1');
      this.nodeInput.write(hash, 33, 'latin1');
      hash = oneShot(this.spec.hashAlgorithm, this.nodeInput, 'binary');
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

  private flush(chain: Chain): void {
    for (let i = 0; i < chain.sizes.length; i++) chain.part.subtrees.push([chain.starts[i]!, chain.sizes[i]!, Buffer.from(chain.hashes[i]!, 'latin1').toString('hex')]);
    chain.starts.length = 0;
    chain.sizes.length = 0;
    chain.hashes.length = 0;
  }
}
