/**
 * A worker thread of the parallel verifier (verify-store.ts): checks one seq range of the store on its
 * own read-only connection (range-check.ts: record hashes, chain links, intents, Merkle subtrees) and
 * answers the range's summary. Hashing is most of the verifier's work, so the ranges run side by side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RangeCheck, type RangeSpec, type RangeSummary } from './range-check.ts';
import { openRowReader } from './range-reader.ts';

/** What the worker is told. */
export interface RangeJob extends RangeSpec {
  /** The store's location. */
  db: string;
  /** Rows per read. */
  batch: number;
}

const job = workerData as RangeJob;
const reader = await openRowReader(job.db);
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
  parentPort!.postMessage(check.finish() satisfies RangeSummary);
} finally {
  await reader.close();
}
