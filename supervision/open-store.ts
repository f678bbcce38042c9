/** The store factory: validates the configuration, opens and migrates the database, loads the signing key. */
import { CityGraphError, ErrorCode } from '../core/errors.ts';
import { resolveSupervisionConfig, type ResolvedSupervisionConfig, type SupervisionConfig } from './config.ts';
import { LogStore } from './log-store.ts';
import { openBackend } from './open-backend.ts';
import { loadOrCreateSigner } from './signing.ts';
import type { SupervisionStore } from './store.ts';

/**
 * Opens the supervision store `config` describes. An invalid configuration throws a TypeError
 * synchronously, before any I/O; a database that cannot be opened rejects with `SUPERVISION_UNAVAILABLE`.
 */
export function openSupervisionStore(config: SupervisionConfig): Promise<SupervisionStore> {
  const resolved = resolveSupervisionConfig(config);
  return open(resolved);
}

async function open(c: ResolvedSupervisionConfig): Promise<SupervisionStore> {
  // Keys first: a missing or mismatched key is a configuration error, not an outage.
  const signer = loadOrCreateSigner(c.signing);
  const location = c.backend.kind === 'postgres' ? c.backend.url : c.backend.path;
  let db;
  try {
    db = openBackend(location, { busyTimeoutMs: c.busyTimeoutMs, lockTimeoutMs: c.lockTimeoutMs, poolSize: c.poolSize, pragmas: c.sqlitePragmas });
  } catch (e) {
    throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, `The supervision store (${c.backend.kind}) cannot be opened.`, { cause: e });
  }
  let hash;
  try {
    hash = await db.migrate(c.hash);
    await db.saveKey({ keyId: signer.keyId, algorithm: signer.algorithm, publicKeyPem: signer.publicKeyPem }).catch((e: unknown) => {
      // A read-only store can still serve reads; its appends will fail closed on their own.
      c.onError(e);
    });
  } catch (e) {
    await db.close().catch(() => undefined);
    throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, `The supervision store (${c.backend.kind}) cannot be opened.`, { cause: e });
  }
  if (c.hash && c.hash !== hash) {
    await db.close();
    throw new TypeError(`Invalid supervision store configuration: hash is ${c.hash}, but this store was created with ${hash}.`);
  }
  const store = new LogStore(db, {
    hash,
    subjectKey: c.subjectKey,
    maxArgsBytes: c.maxArgsBytes,
    signer,
    checkpointEvery: c.checkpointEvery,
    checkpointIntervalMs: c.checkpointIntervalMs,
    onError: c.onError,
    instance: c.instance,
    location,
  });
  try {
    await store.startInstance();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, `The supervision store (${c.backend.kind}) cannot take the lease of instance ${c.instance?.id}.`, { cause: e });
  }
  return store;
}
