/**
 * A SQLite store's group commits in a thread of their own. `node:sqlite` is synchronous: on the main
 * thread a commit's fsync held the subgraph's event loop (≈ 4 ms of every 100-record commit), so no
 * other request moved meanwhile. The thread has its own connection to the same file; a group's promise
 * settles only after the thread committed it, exactly as before. If the thread dies, what it had in
 * hand is rejected (never acknowledged) and the next group starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { GroupEntry } from './group.ts';
import type { RecordDraft, SupervisionRecord } from './record.ts';
import { errorFromWire, isWireError, placedRecord, type WriterReply, type WriterRequest } from './sqlite-writer-wire.ts';
import type { WriterData } from './sqlite-writer-worker.ts';

/** The main thread's side of a writer thread. */
export class SqliteWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  /** Each group in hand, with its drafts: the thread answers with their places only. */
  private readonly waiting = new Map<number, { drafts: RecordDraft[]; resolve: (r: (SupervisionRecord | Error)[]) => void; reject: (e: Error) => void }>();
  private readonly data: WriterData;

  constructor(data: WriterData) {
    this.data = data;
  }

  /** Starts the thread now (else the first group does), e.g. so its subject-index catch-up runs. */
  start(): void {
    this.thread();
  }

  /** Commits `entries` (none with a `check` function) in one transaction of the thread; durable when resolved. */
  appendMany(entries: readonly GroupEntry[]): Promise<(SupervisionRecord | Error)[]> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { drafts: entries.map((e) => e.draft), resolve, reject });
      // Held while a group is in hand (a script awaiting its append must not exit first), else unref'd.
      worker.ref();
      const message: WriterRequest = { type: 'group', id, entries: entries.map(({ draft, closes, instance }) => ({ draft, ...(closes ? { closes } : {}), ...(instance ? { instance } : {}) })) };
      worker.postMessage(message);
    });
  }

  /** Ends the thread after what it has in hand. Idempotent. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((done) => worker.once('exit', () => done()));
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    // A thread stuck in a busy wait must not keep the process from closing.
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./sqlite-writer-worker.ts', import.meta.url), { workerData: this.data });
    // The thread never keeps the process alive on its own; pending groups keep their promises.
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('failed' in reply) w.reject(errorFromWire(reply.failed));
      else w.resolve(reply.results.map((r, i) => (isWireError(r) ? errorFromWire(r) : placedRecord(w.drafts[i]!, reply.time, r))));
    });
    const lost = (why: string) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        w.reject(new Error(`The supervision store's writer thread ${why}; the group it held was not acknowledged.`));
      }
    };
    worker.on('error', (e) => lost(`failed (${e.message})`));
    worker.on('exit', (code) => lost(`exited (code ${code})`));
    this.worker = worker;
    return worker;
  }
}
