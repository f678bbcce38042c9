/**
 * A worker thread of the parallel verifier (verify-store.ts): re-hashes every record of one seq range
 * from its columns, on its own read-only connection, and answers how many it read and the seqs whose
 * stored hash does not match. Hashing is most of the verifier's work, so the ranges run side by side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HashAlgorithm } from './hashing.ts';
import { openBackend } from './open-backend.ts';
import { storedRecordHash } from './record.ts';

/** What the worker is told. */
export interface HashCheckJob {
  db: string;
  hashAlgorithm: HashAlgorithm;
  /** Records with seq > afterSeq … */
  afterSeq: number;
  /** … and seq ≤ upToSeq (null: to the end). */
  upToSeq: number | null;
  batch: number;
}

/** What the worker answers. */
export interface HashCheckResult {
  count: number;
  bad: number[];
}

const job = workerData as HashCheckJob;
const backend = openBackend(job.db, { readOnly: true, poolSize: 1 });
try {
  const result: HashCheckResult = { count: 0, bad: [] };
  let after = job.afterSeq;
  for (let done = false; !done; ) {
    const rows = await backend.scan(after, job.batch);
    done = rows.length < job.batch;
    for (const r of rows) {
      if (job.upToSeq !== null && r.seq > job.upToSeq) {
        done = true;
        break;
      }
      result.count++;
      if (storedRecordHash(r, job.hashAlgorithm) !== r.hash) result.bad.push(r.seq);
    }
    if (rows.length > 0) after = rows[rows.length - 1]!.seq;
  }
  parentPort!.postMessage(result);
} finally {
  await backend.close();
}
