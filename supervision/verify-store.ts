/** Offline verification of a store where it lies (SQLite file or PostgreSQL), with an optional witness file. */
import { availableParallelism } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CheckpointFileError, parseCheckpoint, readCheckpointFile, type Checkpoint, type CheckpointExport } from './checkpoint.ts';
import { openBackend } from './open-backend.ts';
import type { StoreBackend } from './backend.ts';
import type { RangeJob, SignatureJob } from './hash-check-worker.ts';
import { GENESIS_HASH, type HashAlgorithm } from './hashing.ts';
import { foldSubtrees, MerkleFrontier } from './merkle.ts';
import type { RangeSpec, RangeSummary } from './range-check.ts';
import { ByPosition, collectCheckpoints, concludeVerify, verifyLog, type Problem, type VerifyInput, type VerifyResult, type WalkFacts } from './verify.ts';

/** What to verify. */
export interface VerifyStoreOptions {
  /** `postgres://…[?schema=…]` or a SQLite file path. Required. */
  db: string;
  /** A witness's exported checkpoint file; default none. */
  checkpointFile?: string;
  /** Demand k cosignatures by the given trusted witness keys (SPKI PEM) on the newest checkpoint; default none. */
  requireCosignatures?: { k: number; trustedKeys: string[] };
  /**
   * Stores of more records than this are verified in parallel: worker threads check seq ranges whole and
   * this thread joins them; if anything at all is wrong, the store is verified again the plain way, so
   * the problems reported are exactly the same. Default 50000; Infinity never.
   */
  parallelAbove?: number;
  /** Worker threads of the parallel verifier; default the machine's available parallelism. */
  workers?: number;
  /** Told why, when the parallel verifier gives up on a large store and the plain one runs (tests, benchmarks); default none. */
  onFallback?: (reason: string) => void;
}

/** Records per read of the plain verifier. */
const BATCH = 10_000;
/**
 * Rows per read of a parallel verifier's worker: a page is alive while it is checked, and the young
 * generation's collections copy it; 1,000 rows rather than 10,000 read and hash a row ≈ 1.9 µs sooner
 * (4.1 → 2.9 µs to read, 2.8 → 2.2 µs to write its hash input; /tmp script over a million-record store).
 */
const WORKER_BATCH = 1_000;
/**
 * The young generation of each verifier worker, in MB (16 MB semi-spaces): every row read and hashed
 * leaves its strings behind, and with V8's own sizing two workers spent ≈ 8 % more CPU on a million
 * records (means of 8 alternating runs of `bench:store` on a kept store: 10.8 against 10.0 s of CPU,
 * 5.8 against 5.3 s; 32, 64 and 96 MB were no better than 48).
 */
const WORKER_YOUNG_GENERATION_MB = 48;

/**
 * Longest stretch, in ms, of the parallel verifier's own work on the calling thread before it lets the
 * event loop turn: the supervision subgraph runs `integrity` in its serving process, and a million
 * records' 10,000 checkpoints took ≈ 0.4 s to parse and their ranges ≈ 1 s to join in one piece.
 */
const SLICE_MS = 15;

/** A clock that says when a slice is over; `due()` then restarts it, so the caller yields once. */
function sliceClock(): { due(): boolean } {
  let start = performance.now();
  return {
    due() {
      const now = performance.now();
      if (now - start < SLICE_MS) return false;
      start = now;
      return true;
    },
  };
}

/** Thrown when there is nothing to verify (no such file, no store schema, database unreachable). */
export class StoreUnreadableError extends Error {
  override readonly name = 'StoreUnreadableError';
}

/**
 * Verifies a store, reading it read-only. A corrupt witness file is reported as a `corruptCheckpoint`
 * problem (the verification fails, with a one-line reason); an unreadable store throws `StoreUnreadableError`.
 */
export async function verifyStore(options: VerifyStoreOptions): Promise<VerifyResult> {
  let witness: CheckpointExport | undefined;
  if (options.checkpointFile) {
    try {
      witness = await readCheckpointFile(options.checkpointFile);
    } catch (e) {
      if (!(e instanceof CheckpointFileError)) throw e;
      const problem = { kind: 'corruptCheckpoint' as const, message: e.message };
      return { ok: false, records: 0, checkpoints: 0, firstProblem: problem, problems: [problem] };
    }
  }
  let db;
  try {
    db = openBackend(options.db, { readOnly: true, poolSize: 2 });
  } catch (e) {
    throw new StoreUnreadableError(`Cannot open the supervision store ${options.db}: ${(e as Error).message}`, { cause: e });
  }
  try {
    let hashAlgorithm;
    try {
      hashAlgorithm = await db.readHashAlgorithm();
    } catch (e) {
      throw new StoreUnreadableError(`Cannot read the supervision store: ${(e as Error).message}`, { cause: e });
    }
    if (!hashAlgorithm) throw new StoreUnreadableError('There is no supervision store there (no metadata table or hash algorithm).');
    const [checkpointTexts, storeKeys] = await Promise.all([db.checkpointTexts(), db.keys()]);
    // A store written before cosignatures existed has no such table: it simply has none.
    const cosignatureTexts = await db.cosignatureTexts().catch(() => [] as string[]);
    const input: VerifyInput = {
      hashAlgorithm, scan: (a, l) => db.scan(a, l), checkpointTexts, storeKeys, cosignatureTexts, batchSize: BATCH,
      ...(witness ? { witness } : {}),
      ...(options.requireCosignatures ? { requireCosignatures: options.requireCosignatures } : {}),
    };
    const fast = await verifyInParallel(options, db, hashAlgorithm, input);
    return fast ?? (await verifyLog(input));
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * The parallel path: null when the store is small, or when anything (a hash, a link, a worker, a
 * checkpoint) was not perfect, so that the caller verifies again the plain way and reports the problems
 * exactly. Worker threads check seq ranges whole (range-check.ts); this thread only joins their ends.
 */
async function verifyInParallel(options: VerifyStoreOptions, db: StoreBackend, hashAlgorithm: HashAlgorithm, input: VerifyInput): Promise<VerifyResult | null> {
  const { heads, totalSeq } = await db.heads();
  if (totalSeq <= (options.parallelAbove ?? 50_000)) return null;
  const problems: Problem[] = [];
  const fallback = (reason: string): null => {
    options.onFallback?.(reason);
    return null;
  };
  const clock = sliceClock();
  const parsed: (Checkpoint | null)[] = [];
  for (const text of input.checkpointTexts) {
    parsed.push(parseCheckpoint(text));
    if (clock.due()) await nextTurn();
  }
  const cps = collectCheckpoints(input, problems, parsed);
  if (problems.length > 0) return fallback('a checkpoint cannot be parsed');
  const plan = rangePlan(hashAlgorithm, heads.map((h) => h.department), cps.map((c) => c.cp), totalSeq);
  // Every checkpoint with a known key has its signature checked by the workers, after their rows.
  const keys = [...new Set(cps.flatMap((c) => (c.key ? [c.key] : [])))];
  const signed = cps.flatMap((c, i) => (c.key ? [i] : []));
  const signatures: SignatureJob = { keys, checkpoints: signed.map((i) => [keys.indexOf(cps[i]!.key!), cps[i]!.cp]) };
  await nextTurn(); // the workers' start copies every checkpoint to them: a slice of its own
  let summaries: RangeSummary[];
  try {
    summaries = await checkRangesInWorkers(options.db, plan, totalSeq, options.workers ?? availableParallelism(), true, signatures);
  } catch (e) {
    return fallback(`a worker failed: ${(e as Error).message}`); // the plain verifier reads (and reports) for itself
  }
  const doubt = summaries.find((s) => !s.perfect);
  if (doubt) return fallback(doubt.reason ?? 'a range is not perfect');
  const facts = await joinRanges(plan, summaries, hashAlgorithm, clock);
  if (!facts) return fallback('the ranges do not join');
  const checked = summaries.flatMap((summary) => summary.signatures ?? []);
  if (checked.length !== signed.length) return fallback('a worker did not check its signatures');
  const signatureValid = cps.map(() => false);
  signed.forEach((i, j) => (signatureValid[i] = checked[j]!));
  const result = concludeVerify(input, cps, facts, problems, signatureValid);
  return result.ok ? result : fallback(`a checkpoint problem: ${result.problems[0]?.message}`);
}

/** What every range check of a store is told: its departments, the chain positions its checkpoints name, and the shared intent arrays. */
export function rangePlan(hashAlgorithm: HashAlgorithm, departments: string[], checkpoints: Checkpoint[], totalSeq: number): Omit<RangeSpec, 'afterSeq' | 'upToSeq'> {
  // One pass over every checkpoint's heads (a million records carry ≈ 10,000 checkpoints of every department).
  const index = new Map(departments.map((d, i) => [d, i]));
  const heads = departments.map(() => new Set<number>());
  const roots = departments.map(() => new Set<number>());
  for (const cp of checkpoints) {
    for (const h of cp.heads) {
      const i = index.get(h.department);
      if (i === undefined) continue;
      heads[i]!.add(h.deptSeq);
      if (h.root) roots[i]!.add(h.deptSeq);
    }
  }
  return {
    hashAlgorithm, departments, heads: heads.map((set) => [...set]), roots: roots.map((set) => [...set]),
    // Room for records appended while the workers read; past it a worker gives up and the plain verifier runs.
    openIntents: new SharedArrayBuffer(4 * (totalSeq + 1 + 65_536)),
    outcomes: new SharedArrayBuffer(totalSeq + 1 + 65_536),
  };
}

/**
 * What the ranges' summaries add up to, or null when they do not join into perfect chains. With a
 * `clock`, the event loop turns whenever it says a slice is over (a Merkle root per chain per checkpoint).
 */
export async function joinRanges(
  plan: Pick<RangeSpec, 'departments' | 'roots' | 'openIntents' | 'outcomes'>, summaries: RangeSummary[], hashAlgorithm: HashAlgorithm, clock?: { due(): boolean },
): Promise<WalkFacts | null> {
  const facts: WalkFacts = { count: 0, maxSeq: 0, found: new ByPosition(), rootAt: new ByPosition(), length: new Map() };
  const chains = plan.departments.map(() => ({ next: 1, lastHash: GENESIS_HASH, tree: new MerkleFrontier(hashAlgorithm) }));
  const roots = plan.roots.map((sizes) => new Set(sizes));
  let nextSeq = 1;
  for (const s of summaries) {
    if (!s.perfect || (s.count > 0 && s.lastSeq - s.count + 1 !== nextSeq)) return null;
    nextSeq += s.count;
    facts.count += s.count;
    if (s.count > 0) facts.maxSeq = s.lastSeq;
    for (const part of s.parts) {
      const chain = chains[part.department]!;
      const name = plan.departments[part.department]!;
      if (part.firstDeptSeq !== chain.next || part.firstPrevHash !== chain.lastHash) return null;
      chain.next = part.lastDeptSeq + 1;
      chain.lastHash = part.lastHash;
      facts.length.set(name, part.lastDeptSeq);
      // Each signed root of the part: the worker folded its right part (range-check.ts's joinPoint); its
      // left part is the tree of the chain up to the join point, from the ranges before and the part's cuts.
      if (chain.tree.size !== part.firstDeptSeq - 1) return null;
      const lefts = new Map<number, Buffer[]>([[chain.tree.size, chain.tree.subtreeHashes()]]);
      for (const [at, stack] of part.cuts) {
        const tree = pushAll(chain.tree.copy(), stack);
        if (!tree || tree.size !== at) return null;
        lefts.set(at, tree.subtreeHashes());
      }
      for (const [size, at, right] of part.roots) {
        const left = lefts.get(at);
        const subtrees = right === '' ? left : left && [...left, Buffer.from(right, 'hex')];
        if (!subtrees || subtrees.length === 0 || !roots[part.department]!.has(size)) return null;
        facts.rootAt.set(name, size, foldSubtrees(hashAlgorithm, subtrees).toString('hex'));
        if (clock?.due()) await nextTurn();
      }
      if (!pushAll(chain.tree, part.subtrees) || chain.tree.size !== part.lastDeptSeq) return null;
      if (clock?.due()) await nextTurn();
      for (const [deptSeq, hash, seq] of part.heads) facts.found.set(name, deptSeq, { hash, seq });
    }
  }
  // Outcomes of intents in an earlier range, now that every range has written its open intents.
  const open = new Int32Array(plan.openIntents);
  const outcomes = new Uint8Array(plan.outcomes);
  for (const s of summaries) {
    const later = s.laterOutcomes;
    for (let i = 0; i < later.length; i += 3) {
      const [intentSeq, department, definitive] = [later[i]!, later[i + 1]!, later[i + 2]!];
      if (open[intentSeq] !== department + 1) return null;
      if (definitive === 1 && Atomics.add(outcomes, intentSeq, 1) !== 0) return null;
    }
  }
  return facts;
}

/** Pushes a part's subtrees ([first leaf, size, hash hex], in order) onto `tree`; null when one does not follow the last. */
function pushAll(tree: MerkleFrontier, subtrees: [number, number, string][]): MerkleFrontier | null {
  for (const [start, size, hash] of subtrees) {
    if (tree.size !== start) return null;
    try {
      tree.pushSubtree(size, Buffer.from(hash, 'hex'));
    } catch {
      return null; // not a power of two, or not aligned (RFC 9162's shape)
    }
  }
  return tree;
}

/**
 * Checks the store at `db` in `workers` threads, each over its own seq range of a store whose highest
 * seq is about `total` (the last range runs to the end, so records appended since are checked too).
 * With `stopAtDoubt`, the first range that is not perfect is the whole answer and the other workers are
 * stopped: the plain verifier will run anyway, and need not wait for them. `signatures` are shared out
 * in order, a slice to each worker, so the summaries' `signatures`, one after the other, answer them in order.
 */
export function checkRangesInWorkers(
  db: string, plan: Omit<RangeSpec, 'afterSeq' | 'upToSeq'>, total: number, workers: number, stopAtDoubt = false, signatures?: SignatureJob,
): Promise<RangeSummary[]> {
  const n = Math.max(1, Math.min(16, total, Math.floor(workers)));
  const share = (i: number) => signatures?.checkpoints.slice(Math.floor((signatures.checkpoints.length * i) / n), Math.floor((signatures.checkpoints.length * (i + 1)) / n));
  const jobs: RangeJob[] = Array.from({ length: n }, (_, i) => ({
    ...plan, db, batch: WORKER_BATCH,
    afterSeq: i === 0 ? 0 : Math.floor((total * i) / n),
    upToSeq: i === n - 1 ? null : Math.floor((total * (i + 1)) / n),
    ...(signatures ? { signatures: { keys: signatures.keys, checkpoints: share(i)! } } : {}),
  }));
  return new Promise((resolve, reject) => {
    const summaries: (RangeSummary | undefined)[] = jobs.map(() => undefined);
    let left = n;
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      for (const w of threads) void w.terminate();
      done();
    };
    const threads = jobs.map((job, i) => {
      const worker = new Worker(new URL('./hash-check-worker.ts', import.meta.url), {
        workerData: job, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      worker.once('message', (m: RangeSummary) => {
        summaries[i] = m;
        if (stopAtDoubt && !m.perfect) settle(() => resolve([m]));
        else if (--left === 0) settle(() => resolve(summaries as RangeSummary[]));
      });
      worker.once('error', (e) => settle(() => reject(e)));
      worker.once('exit', (code) => {
        if (summaries[i] === undefined) settle(() => reject(new Error(`verifier worker exited with ${code} without answering`)));
      });
      return worker;
    });
  });
}
