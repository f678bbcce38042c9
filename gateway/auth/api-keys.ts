/**
 * Integrator API keys, presented in the `x-api-key` header. The file holds only SHA-256 hashes: a key
 * carries 256 random bits, so a fast hash cannot be brute-forced (slow hashes are for low-entropy
 * passwords) and lookup stays cheap on every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { freezePrincipal, PURPOSE_FORMAT, type Principal } from '../../core/principal.ts';
import { SCOPE_NAME, SHORT_NAME } from './claims.ts';

/** The header an integrator presents its key in. */
export const API_KEY_HEADER = 'x-api-key';

/** `cgk_<12 hex id>_<43 base64url chars = 32 random bytes>`; the id is not secret, it names the key. */
const KEY_FORMAT = /^cgk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const recordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  client: z.string().regex(SHORT_NAME),
  scopes: z.array(z.string().regex(SCOPE_NAME)),
  enabled: z.boolean(),
  createdAt: z.string(),
  revokedAt: z.string().nullable().default(null),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** The registered purpose of the integrator's reads, recorded on each; keys issued before it have none. */
  purpose: z.string().regex(PURPOSE_FORMAT).nullable().default(null),
});
const fileSchema = z.object({ version: z.literal(1), keys: z.array(recordSchema) });

/** One stored key: its hash, never the key. */
export type ApiKeyRecord = z.infer<typeof recordSchema>;
/** What may be shown about a key (`list`): everything but the hash. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'hash'>;

/** Creates a key for `client` with `scopes`, stores its hash in `file`, and returns the key (shown once). */
export function issueApiKey(file: string, input: { client: string; scopes: readonly string[]; purpose?: string | null }): { id: string; key: string } {
  const purpose = input?.purpose?.trim() || null;
  if (purpose !== null && !PURPOSE_FORMAT.test(purpose)) throw new TypeError('purpose must be 1–128 characters without control characters, e.g. "hotel check-in (旅馆业治安管理)".');
  if (typeof input?.client !== 'string' || !SHORT_NAME.test(input.client)) {
    throw new TypeError('client must be 1–64 characters of letters, digits and _ . : @ -.');
  }
  if (!Array.isArray(input.scopes) || input.scopes.length === 0 || !input.scopes.every((s) => SCOPE_NAME.test(s))) {
    throw new TypeError('scopes must be a non-empty list of scope names, e.g. identity:verify.');
  }
  const keys = readKeyFile(file);
  let id: string;
  do id = randomBytes(6).toString('hex');
  while (keys.some((k) => k.id === id));
  const key = `cgk_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    client: input.client,
    scopes: [...new Set(input.scopes)],
    enabled: true,
    createdAt: new Date().toISOString(),
    revokedAt: null,
    hash: hashOf(key),
    purpose,
  };
  writeKeyFile(file, [...keys, record]);
  return { id, key };
}

/** Disables key `id` in `file` (idempotent); a running gateway refuses it within about a second. */
export function revokeApiKey(file: string, id: string): ApiKeyInfo {
  const keys = readKeyFile(file);
  const record = keys.find((k) => k.id === id);
  if (!record) throw new Error(`No API key with id ${id} in ${file}.`);
  if (record.enabled) {
    record.enabled = false;
    record.revokedAt = new Date().toISOString();
    writeKeyFile(file, keys);
  }
  return withoutHash(record);
}

/** Lists the keys of `file` without their hashes. */
export function listApiKeys(file: string): ApiKeyInfo[] {
  return readKeyFile(file).map(withoutHash);
}

/** Options of createApiKeyStore. */
export interface ApiKeyStoreOptions {
  /** The key file, e.g. `<dataDir>/api-keys.json`; a missing file means no keys. Required. */
  file: string;
  /** How often, at most, the file's mtime is checked for changes, in ms; default 1000. */
  reloadIntervalMs?: number;
}

/** The gateway's view of the key file: `authenticate(key)` → an integrator principal, or UNAUTHENTICATED. */
export function createApiKeyStore(options: ApiKeyStoreOptions): { authenticate(key: string): Principal } {
  if (typeof options?.file !== 'string' || options.file === '') throw new TypeError('createApiKeyStore needs options.file.');
  const interval = options.reloadIntervalMs ?? 1000;
  if (!Number.isFinite(interval) || interval < 0) throw new TypeError('reloadIntervalMs must be a number ≥ 0.');
  const file = options.file;
  let byId = index(readKeyFile(file)); // Throws now if the file is broken: a bad file is a start-up error.
  let signature = signatureOf(file);
  let checkedAt = Date.now();
  let broken = false;

  // An id not seen yet re-checks at once (one stat), so a newly issued key works immediately.
  function current(id: string): Map<string, ApiKeyRecord> {
    const now = Date.now();
    if (now - checkedAt >= interval || !byId.has(id)) {
      checkedAt = now;
      const sig = signatureOf(file);
      if (sig !== signature) {
        try {
          byId = index(readKeyFile(file));
          broken = false;
        } catch {
          // Fail closed: keeping the old keys could keep a key alive that the new file revokes.
          broken = true;
        }
        signature = sig;
      }
    }
    if (broken) {
      throw new CityGraphError(ErrorCode.INTERNAL, 'The API key store cannot be read; API keys are refused until it is fixed.');
    }
    return byId;
  }

  return {
    authenticate(key) {
      const match = typeof key === 'string' ? KEY_FORMAT.exec(key) : null;
      if (!match) throw refuse('is not a CityGraph API key', 'malformed');
      const record = current(match[1]!).get(match[1]!);
      // Compared in constant time, and also for an unknown id, so timing reveals nothing of either.
      const expected = Buffer.from((record?.hash ?? UNKNOWN_HASH).slice('sha256:'.length), 'hex');
      const actual = Buffer.from(hashOf(key).slice('sha256:'.length), 'hex');
      if (!timingSafeEqual(expected, actual) || !record) throw refuse('is not known', 'unknown');
      if (!record.enabled) throw refuse('has been revoked', 'revoked');
      return freezePrincipal({
        sub: `apikey:${record.id}`,
        role: 'integrator',
        department: null,
        scopes: record.scopes,
        onBehalfOf: null,
        client: record.client,
        purpose: record.purpose,
      });
    },
  };
}

const UNKNOWN_HASH = `sha256:${'0'.repeat(64)}`;

function hashOf(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

function readKeyFile(file: string): ApiKeyRecord[] {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const parsed = fileSchema.safeParse(safeJson(raw));
  if (!parsed.success) throw new Error(`${file} is not a CityGraph API key file (version 1).`);
  return parsed.data.keys;
}

/** Written to a temporary file and renamed, so the gateway never reads a half-written file. */
function writeKeyFile(file: string, keys: ApiKeyRecord[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function signatureOf(file: string): string {
  try {
    const s = statSync(file);
    // The inode changes on every rename-write, so a change within one mtime tick is still seen.
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function index(keys: ApiKeyRecord[]): Map<string, ApiKeyRecord> {
  return new Map(keys.map((k) => [k.id, k]));
}

function withoutHash({ hash: _hash, ...info }: ApiKeyRecord): ApiKeyInfo {
  return info;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function refuse(problem: string, reason: string): CityGraphError {
  return new CityGraphError(ErrorCode.UNAUTHENTICATED, `The API key ${problem}.`, { details: { reason } });
}
