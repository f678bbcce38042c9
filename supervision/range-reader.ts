/**
 * Read-only row pages for the parallel verifier's workers: whole records as arrays of column values in
 * `RECORD_COLUMNS` order, straight from the driver, without building record objects. A reader of its
 * own (rather than a backend method) so the workers open nothing the write path needs.
 */
import { DatabaseSync } from 'node:sqlite';
import { RECORD_COLUMNS } from './columns.ts';

/** Pages of rows, in seq order. */
export interface RowReader {
  /** Up to `limit` rows with seq > `afterSeq`, in seq order, each in `RECORD_COLUMNS` order. */
  rows(afterSeq: number, limit: number): Promise<unknown[][]>;
  /** Releases the connection. */
  close(): Promise<void>;
}

const SELECT = `SELECT ${RECORD_COLUMNS.join(', ')} FROM supervision_records`;

/** Opens a reader on the store at `location` (`postgres://…[?schema=…]` or a SQLite file). */
export async function openRowReader(location: string): Promise<RowReader> {
  // open-backend.ts's isPgUrl, not imported: that module loads both backends, and each worker starts faster without them.
  if (/^postgres(ql)?:\/\//.test(location)) {
    const [{ default: pg }, { parsePgUrl }] = await Promise.all([import('pg'), import('./pg-store.ts')]);
    const { connectionString, options } = parsePgUrl(location);
    const client = new pg.Client({ connectionString, ...(options ? { options } : {}) });
    await client.connect();
    client.on('error', () => undefined);
    return {
      rows: async (afterSeq, limit) =>
        (await client.query({ text: `${SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [afterSeq, limit], rowMode: 'array' })).rows as unknown[][],
      close: () => client.end(),
    };
  }
  const db = new DatabaseSync(location, { readOnly: true });
  // Pages mapped rather than copied in by read(): a million records are ≈ 190,000 pages of 4 KiB.
  db.exec('PRAGMA mmap_size = 17179869184');
  const stmt = db.prepare(`${SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`);
  stmt.setReturnArrays(true);
  return {
    rows: async (afterSeq, limit) => stmt.all(afterSeq, limit) as unknown as unknown[][],
    close: async () => db.close(),
  };
}
