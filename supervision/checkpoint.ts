/**
 * Signed checkpoints: the heads of every department chain at one moment, signed. An outside witness
 * that keeps one can later prove truncation (a chain shorter than a held head) and forks (a different
 * hash at a held head's position), which the hash chain alone cannot.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalJson } from './canonical.ts';
import { isHashAlgorithm, type HashAlgorithm } from './hashing.ts';
import { keyIdOf, verifySignature, type SignatureAlgorithm, type Signer } from './signing.ts';

/** The head of one department chain. */
export interface ChainHead {
  /** Department. */
  department: string;
  /** deptSeq of the last record. */
  deptSeq: number;
  /** Hash of the last record. */
  hash: string;
  /**
   * RFC 9162 Merkle root of the chain's first `deptSeq` records (tree size = deptSeq). Absent on
   * checkpoints signed before Merkle trees were added; they still verify by their heads.
   */
  root?: string;
}

/** One signed checkpoint. */
export interface Checkpoint {
  /** 1, 2, 3 … per store. */
  id: number;
  /** When it was signed, ISO. */
  time: string;
  /** The store's record hash algorithm. */
  hashAlgorithm: HashAlgorithm;
  /** `sm2` or `ed25519`. */
  signatureAlgorithm: SignatureAlgorithm;
  /** Head of every department chain, sorted by department. */
  heads: ChainHead[];
  /** The highest global seq covered. */
  totalSeq: number;
  /** Fingerprint of the signing public key. */
  keyId: string;
  /** Hex signature over `checkpointMessage` (every field but this one). */
  signature: string;
}

/** A public key as exported for witnesses. */
export interface PublicKeyEntry {
  /** Fingerprint (see `Signer.keyId`). */
  keyId: string;
  /** `sm2` or `ed25519`. */
  algorithm: SignatureAlgorithm;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** The file a witness keeps. */
export interface CheckpointExport {
  /** Always `citygraph-supervision-checkpoints/1`. */
  format: typeof EXPORT_FORMAT;
  /** When it was written. */
  exportedAt: string;
  /** Keys that signed the checkpoints. */
  keys: PublicKeyEntry[];
  /** Checkpoints, oldest first. */
  checkpoints: Checkpoint[];
}

/** Format tag of exported checkpoint files. */
export const EXPORT_FORMAT = 'citygraph-supervision-checkpoints/1';

/** The exact text that is signed: canonical JSON of the checkpoint without its signature. */
export function checkpointMessage(cp: Omit<Checkpoint, 'signature'> | Checkpoint): string {
  const { signature: _ignored, ...body } = cp as Checkpoint;
  return canonicalJson(body);
}

/** Builds and signs a checkpoint over `heads` (sorted here). */
export function signCheckpoint(
  fields: { id: number; time: string; hashAlgorithm: HashAlgorithm; heads: ChainHead[]; totalSeq: number },
  signer: Signer,
): Checkpoint {
  const heads = [...fields.heads].sort((a, b) => (a.department < b.department ? -1 : a.department > b.department ? 1 : 0));
  const body = { ...fields, heads, signatureAlgorithm: signer.algorithm, keyId: signer.keyId };
  return { ...body, signature: signer.sign(checkpointMessage(body)) };
}

/** True when the checkpoint's signature holds under `key`. */
export function checkpointSignatureValid(cp: Checkpoint, key: PublicKeyEntry): boolean {
  return key.keyId === cp.keyId && key.algorithm === cp.signatureAlgorithm && verifySignature(key.algorithm, key.publicKeyPem, checkpointMessage(cp), cp.signature);
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const headSchema = z.object({ department: z.string().min(1), deptSeq: z.number().int().positive(), hash: hex64, root: hex64.optional() }).strict();
/** Shape of a checkpoint, checked wherever one is read (store rows, witness files). */
export const checkpointSchema = z
  .object({
    id: z.number().int().positive(),
    time: z.string().min(1),
    hashAlgorithm: z.string().refine(isHashAlgorithm, 'unknown hash algorithm'),
    signatureAlgorithm: z.enum(['sm2', 'ed25519']),
    heads: z.array(headSchema),
    totalSeq: z.number().int().nonnegative(),
    keyId: z.string().regex(/^[0-9a-f]{64}$/),
    signature: z.string().regex(/^[0-9a-f]+$/i),
  })
  .strict();
const keySchema = z.object({ keyId: z.string(), algorithm: z.enum(['sm2', 'ed25519']), publicKeyPem: z.string().includes('BEGIN PUBLIC KEY') }).strict();
const exportSchema = z.object({ format: z.literal(EXPORT_FORMAT), exportedAt: z.string(), keys: z.array(keySchema), checkpoints: z.array(checkpointSchema) }).strict();

/** Thrown when a checkpoint file cannot be read or is not a checkpoint export. */
export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
}

/** Reads and checks a witness file; throws `CheckpointFileError` with a one-line reason. */
export async function readCheckpointFile(file: string): Promise<CheckpointExport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CheckpointFileError(`Cannot read the checkpoint file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointFileError(`The checkpoint file ${file} is not valid JSON (${(e as Error).message}).`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointFileError(`The checkpoint file ${file} is not a checkpoint export: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}.`);
  }
  return parsed.data as CheckpointExport;
}

/** Parses a checkpoint kept by a store; null when it does not have a checkpoint's shape. */
export function parseCheckpoint(text: string): Checkpoint | null {
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as Checkpoint) : null;
  } catch {
    return null;
  }
}

/** A witness's signature over a checkpoint it checked: its own key, its own statement. */
export interface Cosignature {
  /** The checkpoint cosigned. */
  checkpointId: number;
  /** Fingerprint of the witness key (SM3 of its SPKI DER for SM2). */
  keyId: string;
  /** `sm2` (or `ed25519`). */
  algorithm: SignatureAlgorithm;
  /** The witness's public key, SPKI PEM. */
  publicKeyPem: string;
  /** When the witness signed, ISO. */
  time: string;
  /** Hex signature over `cosignatureMessage(checkpoint, time)`. */
  signature: string;
}

/** What a witness signs: a tag, the time, the checkpoint's signed text and the operator's signature. */
export function cosignatureMessage(cp: Checkpoint, time: string): string {
  return `citygraph-cosignature/1\n${time}\n${checkpointMessage(cp)}\n${cp.signature}`;
}

/** True when `c` is a valid cosignature of `cp` by the key it names. */
export function cosignatureValid(cp: Checkpoint, c: Cosignature): boolean {
  try {
    return c.checkpointId === cp.id && keyIdOf(c.algorithm, c.publicKeyPem) === c.keyId && verifySignature(c.algorithm, c.publicKeyPem, cosignatureMessage(cp, c.time), c.signature);
  } catch {
    return false;
  }
}

/** Shape of a cosignature, checked wherever one is read. */
export const cosignatureSchema = z
  .object({
    checkpointId: z.number().int().positive(),
    keyId: z.string().regex(/^[0-9a-f]{64}$/),
    algorithm: z.enum(['sm2', 'ed25519']),
    publicKeyPem: z.string().includes('BEGIN PUBLIC KEY').max(4096),
    time: z.string().min(1).max(64),
    signature: z.string().regex(/^[0-9a-f]+$/i).max(1024),
  })
  .strict();
