/** Offline verification of a store where it lies (SQLite file or PostgreSQL), with an optional witness file. */
import { CheckpointFileError, readCheckpointFile, type CheckpointExport } from './checkpoint.ts';
import { openBackend } from './open-backend.ts';
import { verifyLog, type VerifyResult } from './verify.ts';

/** What to verify. */
export interface VerifyStoreOptions {
  /** `postgres://…[?schema=…]` or a SQLite file path. Required. */
  db: string;
  /** A witness's exported checkpoint file; default none. */
  checkpointFile?: string;
  /** Demand k cosignatures by the given trusted witness keys (SPKI PEM) on the newest checkpoint; default none. */
  requireCosignatures?: { k: number; trustedKeys: string[] };
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
    return await verifyLog({
      hashAlgorithm, scan: (a, l) => db.scan(a, l), checkpointTexts, storeKeys, cosignatureTexts,
      ...(witness ? { witness } : {}),
      ...(options.requireCosignatures ? { requireCosignatures: options.requireCosignatures } : {}),
    });
  } finally {
    await db.close().catch(() => undefined);
  }
}
