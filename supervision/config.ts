/**
 * The supervision store's configuration, normalised and checked once: a bad option throws at
 * construction with every problem named, never at the first mutation.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { HashAlgorithm } from './hashing.ts';
import type { SignatureAlgorithm } from './signing.ts';

/** Appends by one process between two checkpoints it signs, unless configured (`checkpointEvery`). */
export const DEFAULT_CHECKPOINT_EVERY = 100;

/** Options of `openSupervisionStore`. */
export interface SupervisionConfig {
  /** `postgres://…` (optionally `?schema=name`) → PostgreSQL; a file path → SQLite there; default SQLite at `<dataDir>/supervision.db`. */
  url?: string;
  /** Folder of the SQLite file and generated keys; default `.data`. */
  dataDir?: string;
  /** Record hash of a NEW store (an existing store keeps its own; a different value is an error); default `sm3`. */
  hash?: HashAlgorithm;
  /** Checkpoint signing; default SM2 with keys in `<dataDir>/keys/`, generated when absent. */
  signing?: {
    /** Default `sm2`. */
    algorithm?: SignatureAlgorithm;
    /** Default `<dataDir>/keys/checkpoint-<algorithm>.key.pem`. */
    privateKeyPath?: string;
    /** Default `<dataDir>/keys/checkpoint-<algorithm>.pub.pem`. */
    publicKeyPath?: string;
  };
  /** Secret key of the subject and actor HMACs, at least 32 characters. Required; never log it. */
  subjectKey: string;
  /** Sign a checkpoint after this many appends by this process; 0 = never; default 100. */
  checkpointEvery?: number;
  /** Sign a checkpoint this often when records were added, ms; 0 = never; default 60000. */
  checkpointIntervalMs?: number;
  /** Largest canonical JSON of a record's arguments, bytes; default 16384. */
  maxArgsBytes?: number;
  /** SQLite: wait for another writer's lock up to this long, ms; default 5000. */
  busyTimeoutMs?: number;
  /** PostgreSQL: wait for the append lock up to this long, ms; default 5000. */
  lockTimeoutMs?: number;
  /** PostgreSQL: connections per process; default 4. */
  poolSize?: number;
  /** SQLite: extra PRAGMAs after the defaults (e.g. `query_only = ON`); default none. */
  sqlitePragmas?: string[];
  /** Receives background failures (automatic checkpoints); default ignore. */
  onError?: (error: unknown) => void;
  /**
   * This process as one instance of a department (leases.ts): its intents carry `id`, it renews a lease
   * every third of `leaseMs` (default 15000), and recovery marks only intents no live instance owns.
   * Default none: intents without owner, recovered by age alone.
   */
  instance?: { id: string; department: string; leaseMs?: number };
}

/** The configuration with every default applied. */
export interface ResolvedSupervisionConfig {
  backend: { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };
  dataDir: string;
  hash: HashAlgorithm | undefined;
  signing: { algorithm: SignatureAlgorithm; privateKeyPath: string; publicKeyPath: string };
  subjectKey: string;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  maxArgsBytes: number;
  busyTimeoutMs: number;
  lockTimeoutMs: number;
  poolSize: number;
  sqlitePragmas: string[];
  onError: (error: unknown) => void;
  instance: { id: string; department: string; leaseMs: number } | null;
}

const count = z.number().int().nonnegative();
const schema = z
  .object({
    url: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
    hash: z.enum(['sm3', 'sha256']).optional(),
    signing: z
      .object({
        algorithm: z.enum(['sm2', 'ed25519']).optional(),
        privateKeyPath: z.string().min(1).optional(),
        publicKeyPath: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    subjectKey: z.string({ error: 'is required' }).min(32, 'must be at least 32 characters'),
    checkpointEvery: count.optional(),
    checkpointIntervalMs: count.optional(),
    maxArgsBytes: z.number().int().min(256).max(1 << 20).optional(),
    busyTimeoutMs: count.optional(),
    lockTimeoutMs: count.optional(),
    poolSize: z.number().int().min(1).max(100).optional(),
    sqlitePragmas: z.array(z.string().regex(/^[a-z_]+\s*=\s*[\w-]+$/i, 'must look like `name = value`')).optional(),
    onError: z.function().optional(),
    instance: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'must be 1–128 letters, digits or . _ @ : -'),
        department: z.string().min(1),
        leaseMs: z.number().int().min(1000).max(600_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Validates `config` and applies the defaults; throws a TypeError naming every invalid option. */
export function resolveSupervisionConfig(config: SupervisionConfig): ResolvedSupervisionConfig {
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'} ${i.message}`);
    throw new TypeError(`Invalid supervision store configuration: ${lines.join('; ')}.`);
  }
  const c = config;
  const dataDir = c.dataDir ?? '.data';
  const algorithm = c.signing?.algorithm ?? 'sm2';
  const url = c.url;
  return {
    backend: url && /^postgres(ql)?:\/\//.test(url) ? { kind: 'postgres', url } : { kind: 'sqlite', path: url ?? join(dataDir, 'supervision.db') },
    dataDir,
    hash: c.hash,
    signing: {
      algorithm,
      ...defaultKeyPaths(dataDir, algorithm),
      ...(c.signing?.privateKeyPath ? { privateKeyPath: c.signing.privateKeyPath } : {}),
      ...(c.signing?.publicKeyPath ? { publicKeyPath: c.signing.publicKeyPath } : {}),
    },
    subjectKey: c.subjectKey,
    checkpointEvery: c.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
    checkpointIntervalMs: c.checkpointIntervalMs ?? 60_000,
    maxArgsBytes: c.maxArgsBytes ?? 16_384,
    busyTimeoutMs: c.busyTimeoutMs ?? 5000,
    lockTimeoutMs: c.lockTimeoutMs ?? 5000,
    poolSize: c.poolSize ?? 4,
    sqlitePragmas: c.sqlitePragmas ?? [],
    onError: c.onError ?? (() => undefined),
    instance: c.instance ? { id: c.instance.id, department: c.instance.department, leaseMs: c.instance.leaseMs ?? 15_000 } : null,
  };
}

/** Where generated checkpoint keys live: `<dataDir>/keys/checkpoint-<algorithm>.{key,pub}.pem`. */
export function defaultKeyPaths(dataDir: string, algorithm: SignatureAlgorithm): { privateKeyPath: string; publicKeyPath: string } {
  return {
    privateKeyPath: join(dataDir, 'keys', `checkpoint-${algorithm}.key.pem`),
    publicKeyPath: join(dataDir, 'keys', `checkpoint-${algorithm}.pub.pem`),
  };
}
