/**
 * Operations on a store's database that need no subject key: signing a checkpoint now and exporting
 * checkpoints for a witness. The store uses them, and so does the `audit` command line.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { StoreBackend } from './backend.ts';
import { EXPORT_FORMAT, parseCheckpoint, signCheckpoint, type ChainHead, type Checkpoint, type CheckpointExport } from './checkpoint.ts';
import { MerkleFrontier } from './merkle.ts';
import type { HashAlgorithm } from './hashing.ts';
import type { Signer } from './signing.ts';

class StaleSnapshot extends Error {}

/**
 * Signs and stores a checkpoint over the heads of every chain now, each with its Merkle tree root.
 * The roots are computed from a snapshot of the heads taken just before the checkpoint lock; a
 * checkpoint signed meanwhile by another process that is ahead of that snapshot makes it take a new
 * one, so checkpoints never go backwards. `frontiers` (kept by the caller) makes roots incremental.
 */
export async function addSignedCheckpoint(
  db: StoreBackend,
  signer: Signer,
  hashAlgorithm: HashAlgorithm,
  frontiers: Map<string, MerkleFrontier> = new Map(),
  newFrontier?: (department: string) => MerkleFrontier,
): Promise<Checkpoint> {
  // Not inside the checkpoint's transaction, which holds the store's write lock (SM2's first signature in a process).
  signer.warm();
  for (let attempt = 0; ; attempt++) {
    const snap = await db.heads();
    const heads: ChainHead[] = [];
    for (const h of snap.heads) heads.push({ ...h, root: await chainRoot(db, hashAlgorithm, h.department, h.deptSeq, frontiers, newFrontier) });
    try {
      return await db.addCheckpoint((id, _now, previous) => {
        const prev = previous === null ? null : parseCheckpoint(previous);
        const behind = prev && (prev.totalSeq > snap.totalSeq || prev.heads.some((p) => (heads.find((x) => x.department === p.department)?.deptSeq ?? 0) < p.deptSeq));
        if (behind) throw new StaleSnapshot();
        return signCheckpoint({ id, time: new Date().toISOString(), hashAlgorithm, heads, totalSeq: snap.totalSeq }, signer);
      });
    } catch (e) {
      if (e instanceof StaleSnapshot && attempt < 10) continue;
      throw e;
    }
  }
}

/** The Merkle root of the first `size` records of `department`'s chain; `newFrontier` makes the chain's kept frontier (default a plain one). */
export async function chainRoot(
  db: StoreBackend, hashAlgorithm: HashAlgorithm, department: string, size: number, frontiers: Map<string, MerkleFrontier> = new Map(),
  newFrontier: (department: string) => MerkleFrontier = () => new MerkleFrontier(hashAlgorithm),
): Promise<string> {
  let f = frontiers.get(department);
  if (f && f.size > size) {
    f = new MerkleFrontier(hashAlgorithm); // an older size than cached: a temporary tree, the cache stays
  } else if (!f) {
    f = newFrontier(department);
    frontiers.set(department, f);
  }
  while (f.size < size) {
    const hashes = await db.chainHashes(department, f.size, Math.min(5000, size - f.size));
    if (hashes.length === 0) throw new Error(`The ${department} chain ends before record ${size}.`);
    for (const h of hashes) f.pushRecord(h);
  }
  return f.root();
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
