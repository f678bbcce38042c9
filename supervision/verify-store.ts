/** Offline verification of a store where it lies (SQLite file or PostgreSQL), with an optional witness file. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CheckpointFileError, readCheckpointFile, type CheckpointExport } from './checkpoint.ts';
import { openBackend } from './open-backend.ts';
import type { StoreBackend } from './backend.ts';
import type { HashCheckJob, HashCheckResult } from './hash-check-worker.ts';
import type { HashAlgorithm } from './hashing.ts';
import { verifyLog, type VerifyInput, type VerifyResult } from './verify.ts';

/** What to verify. */
export interface VerifyStoreOptions {
  /** `postgres://…[?schema=…]` or a SQLite file path. Required. */
  db: string;
  /** A witness's exported checkpoint file; default none. */
  checkpointFile?: string;
  /** Demand k cosignatures by the given trusted witness keys (SPKI PEM) on the newest checkpoint; default none. */
  requireCosignatures?: { k: number; trustedKeys: string[] };
  /**
   * Stores of more records than this are verified in parallel: worker threads re-hash seq ranges while
   * this thread walks the chains; if anything at all is wrong, the store is verified again the plain way,
   * so the problems reported are exactly the same. Default 50000; Infinity never.
   */
  parallelAbove?: number;
  /** Worker threads of the parallel verifier; default the machine's available parallelism. */
  workers?: number;
}

/** Records per read. */
const BATCH = 10_000;

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
 * The parallel path: null when the store is small, or when anything (a hash, the walk, a worker) was
 * not perfect, so that the caller verifies again the plain way and reports the problems exactly.
 */
async function verifyInParallel(options: VerifyStoreOptions, db: StoreBackend, hashAlgorithm: HashAlgorithm, input: VerifyInput): Promise<VerifyResult | null> {
  const total = (await db.heads()).totalSeq;
  if (total <= (options.parallelAbove ?? 50_000)) return null;
  const hashed = hashCheckInWorkers(options.db, hashAlgorithm, total, options.workers ?? availableParallelism());
  hashed.catch(() => undefined);
  // The walk needs only the chain columns; the workers read and hash the whole records.
  const scan = db.scanLinks ? (a: number, l: number) => db.scanLinks!(a, l) : input.scan;
  const walked = await verifyLog({ ...input, scan, recordHashesChecked: true });
  let checked: HashCheckResult;
  try {
    checked = await hashed;
  } catch {
    return null; // a worker failed: the plain verifier reads (and reports) for itself
  }
  if (!walked.ok || checked.count !== walked.records || checked.bad.length > 0) return null;
  return walked;
}

/**
 * Re-hashes every record of the store at `db` in `workers` threads, each over its own seq range of a
 * store whose highest seq is about `total`: how many records were read and the seqs whose hash fails.
 */
export async function hashCheckInWorkers(db: string, hashAlgorithm: HashAlgorithm, total: number, workers: number): Promise<HashCheckResult> {
  const n = Math.max(1, Math.min(16, Math.floor(workers)));
  const jobs: HashCheckJob[] = Array.from({ length: n }, (_, i) => ({
    db, hashAlgorithm, batch: BATCH,
    afterSeq: i === 0 ? 0 : Math.floor((total * i) / n),
    // The last range runs to the end, so a record past the highest head is still hashed.
    upToSeq: i === n - 1 ? null : Math.floor((total * (i + 1)) / n),
  }));
  const results = await Promise.all(jobs.map(runHashCheck));
  return { count: results.reduce((a, r) => a + r.count, 0), bad: results.flatMap((r) => r.bad).sort((a, b) => a - b) };
}

function runHashCheck(job: HashCheckJob): Promise<HashCheckResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./hash-check-worker.ts', import.meta.url), { workerData: job });
    let answered = false;
    worker.once('message', (m: HashCheckResult) => {
      answered = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`hash worker exited with ${code} without answering`));
    });
  });
}
