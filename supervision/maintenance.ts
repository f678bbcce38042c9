/**
 * Operations on a store's database that need no subject key: signing a checkpoint now and exporting
 * checkpoints for a witness. The store uses them, and so does the `audit` command line.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { StoreBackend } from './backend.ts';
import { EXPORT_FORMAT, parseCheckpoint, signCheckpoint, type Checkpoint, type CheckpointExport } from './checkpoint.ts';
import type { HashAlgorithm } from './hashing.ts';
import type { Signer } from './signing.ts';

/** Signs and stores a checkpoint over the heads of every chain now. */
export function addSignedCheckpoint(db: StoreBackend, signer: Signer, hashAlgorithm: HashAlgorithm): Promise<Checkpoint> {
  return db.addCheckpoint((id, snap) =>
    signCheckpoint({ id, time: new Date().toISOString(), hashAlgorithm, heads: snap.heads, totalSeq: snap.totalSeq }, signer),
  );
}

/** Stored checkpoints that parse, oldest first. */
export async function readCheckpoints(db: StoreBackend): Promise<Checkpoint[]> {
  return (await db.checkpointTexts()).map(parseCheckpoint).filter((c): c is Checkpoint => c !== null);
}

/** Writes every checkpoint and the public keys to `file` (JSON), atomically. */
export async function writeCheckpointExport(db: StoreBackend, file: string): Promise<CheckpointExport> {
  const [checkpoints, keys] = await Promise.all([readCheckpoints(db), db.keys()]);
  const body: CheckpointExport = { format: EXPORT_FORMAT, exportedAt: new Date().toISOString(), keys, checkpoints };
  // Write then rename: a witness never holds half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`);
  await rename(tmp, file);
  return body;
}
