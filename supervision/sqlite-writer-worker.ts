/**
 * The writer thread of a SQLite store (sqlite-writer.ts): holds its own connection to the store's file
 * and runs each group commit it is sent, sealing the records itself, so the `COMMIT`'s fsync and the
 * B-tree work never hold the subgraph's event loop. Answers only after the transaction committed.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { GroupEntry } from './group.ts';
import type { HashAlgorithm } from './hashing.ts';
import { sealRecord, type SupervisionRecord } from './record.ts';
import { SqliteAppender } from './sqlite-append.ts';
import { errorToWire, type Placed, type WireError, type WriterReply, type WriterRequest } from './sqlite-writer-wire.ts';

/** What the thread is started with. */
export interface WriterData {
  path: string;
  busyTimeoutMs: number;
  hash: HashAlgorithm;
  /** The store's extra PRAGMAs (SqliteBackendOptions.pragmas), run after the defaults. */
  pragmas: readonly string[];
}

const data = workerData as WriterData;
const db = new DatabaseSync(data.path, { timeout: data.busyTimeoutMs });
db.exec('PRAGMA journal_mode = WAL');
// FULL: the WAL is fsynced at every commit, so an acknowledged record survives power loss too.
db.exec('PRAGMA synchronous = FULL');
for (const p of data.pragmas) db.exec(`PRAGMA ${p}`);
// The thread waits for the write lock itself, trying far more often than SQLite's busy handler (beginImmediate).
db.exec('PRAGMA busy_timeout = 0');
const appender = new SqliteAppender(db, { busyRetryMs: data.busyTimeoutMs });
const port = parentPort!;

port.on('message', (m: WriterRequest) => {
  if (m.type === 'close') {
    appender.stop();
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    const results = appender.appendMany(m.entries as GroupEntry[], (d, p) => sealRecord(d, p, data.hash));
    const time = results.find((r): r is SupervisionRecord => !(r instanceof Error))?.time ?? '';
    reply = { id: m.id, time, results: results.map((r): Placed | WireError => (r instanceof Error ? errorToWire(r) : [r.seq, r.deptSeq, r.prevHash, r.hash])) };
  } catch (e) {
    reply = { id: m.id, failed: errorToWire(e) };
  }
  port.postMessage(reply);
});
