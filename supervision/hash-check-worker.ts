/**
 * A worker thread of the parallel verifier (verify-store.ts): checks one seq range of the store on its
 * own read-only connection (range-check.ts: record hashes, chain links, intents, Merkle subtrees), then
 * its share of the checkpoints' signatures, and answers the range's summary. Hashing and SM2 are most of
 * the verifier's work, so the ranges run side by side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Checkpoint, PublicKeyEntry } from './checkpoint.ts';
import { RangeCheck, type RangeSpec, type RangeSummary } from './range-check.ts';
import { openRowReader } from './range-reader.ts';

/** Checkpoint signatures to check: the keys once, then each checkpoint with the index of its key. */
export interface SignatureJob {
  keys: PublicKeyEntry[];
  checkpoints: [number, Checkpoint][];
}

/** What the worker is told. */
export interface RangeJob extends RangeSpec {
  /** The store's location. */
  db: string;
  /** Rows per read. */
  batch: number;
  /**
   * Checkpoint signatures to check once the range is done: an SM2 verification costs ≈ 0.19 ms (sm2-verify.ts)
   * and a store signs a checkpoint every 100 records, so a million records carry ≈ 10,000 of them.
   */
  signatures?: SignatureJob;
}

const job = workerData as RangeJob;
const reader = await openRowReader(job.db);
let summary: RangeSummary;
try {
  const check = new RangeCheck(job);
  let after = job.afterSeq;
  for (let done = false; !done; ) {
    const rows = await reader.rows(after, job.batch);
    done = rows.length < job.batch;
    for (const row of rows) {
      if (check.past(row) || !check.add(row)) {
        done = true;
        break;
      }
    }
    if (rows.length > 0) after = Number(rows[rows.length - 1]![0]);
  }
  summary = check.finish();
} finally {
  await reader.close();
}
// Loaded only when there are signatures to check (SM2 and the checkpoint schema are not needed for rows).
if (summary.perfect && job.signatures && job.signatures.checkpoints.length > 0) {
  const { checkpointSignatureValid } = await import('./checkpoint.ts');
  const { keys, checkpoints } = job.signatures;
  summary.signatures = checkpoints.map(([k, cp]) => checkpointSignatureValid(cp, keys[k]!));
}
parentPort!.postMessage(summary satisfies RangeSummary);
