/**
 * The auditor's command line over the supervision store.
 *
 *   npm run -s audit -- verify [--checkpoint FILE] [--db URL|PATH] [--json]
 *   npm run -s audit -- export-checkpoints FILE [--db URL|PATH]
 *   npm run -s audit -- checkpoint [--db URL|PATH] [--algorithm sm2|ed25519]
 *
 * The store is `--db`, else DATABASE_URL, else `$CITYGRAPH_DATA_DIR/supervision.db` (default `.data`).
 * Exit codes: 0 everything holds; 1 verification found a problem; 2 nothing could be verified or done
 * (bad usage, store unreadable).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultKeyPaths } from '../supervision/config.ts';
import { addSignedCheckpoint, writeCheckpointExport } from '../supervision/maintenance.ts';
import { openBackend } from '../supervision/open-backend.ts';
import { loadOrCreateSigner, type SignatureAlgorithm } from '../supervision/signing.ts';
import { verifyStore } from '../supervision/verify-store.ts';
import type { VerifyResult } from '../supervision/verify.ts';

const USAGE = `usage: audit verify [--checkpoint FILE] [--db URL|PATH] [--json]
       audit export-checkpoints FILE [--db URL|PATH]
       audit checkpoint [--db URL|PATH] [--algorithm sm2|ed25519]`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      db: { type: 'string' },
      checkpoint: { type: 'string' },
      json: { type: 'boolean', default: false },
      algorithm: { type: 'string', default: 'sm2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = process.env.CITYGRAPH_DATA_DIR || '.data';
  const db = values.db ?? (process.env.DATABASE_URL || join(dataDir, 'supervision.db'));

  switch (command) {
    case 'verify': {
      if (rest.length) throw new UsageError(`unexpected ${rest.join(' ')}`);
      const result = await verifyStore({ db, ...(values.checkpoint ? { checkpointFile: values.checkpoint } : {}) });
      console.log(values.json ? JSON.stringify(result, null, 2) : describe(result));
      return result.ok ? 0 : 1;
    }
    case 'export-checkpoints': {
      const [file, ...more] = rest;
      if (!file || more.length) throw new UsageError('export-checkpoints needs exactly one FILE');
      const store = openBackend(db, { readOnly: true });
      try {
        if (!(await store.readHashAlgorithm())) throw new Error('there is no supervision store there');
        const out = await writeCheckpointExport(store, file);
        console.log(`Wrote ${out.checkpoints.length} checkpoints and ${out.keys.length} public keys to ${file}.`);
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'checkpoint': {
      if (rest.length) throw new UsageError(`unexpected ${rest.join(' ')}`);
      const algorithm = values.algorithm;
      if (algorithm !== 'sm2' && algorithm !== 'ed25519') throw new UsageError('--algorithm is sm2 or ed25519');
      const signer = loadOrCreateSigner({ algorithm: algorithm as SignatureAlgorithm, ...defaultKeyPaths(dataDir, algorithm) });
      const store = openBackend(db);
      try {
        const hash = await store.readHashAlgorithm();
        if (!hash) throw new Error('there is no supervision store there');
        await store.saveKey({ keyId: signer.keyId, algorithm: signer.algorithm, publicKeyPem: signer.publicKeyPem });
        const cp = await addSignedCheckpoint(store, signer, hash);
        console.log(`Signed checkpoint ${cp.id} over ${cp.heads.length} chains up to seq ${cp.totalSeq} (${cp.signatureAlgorithm}, key ${cp.keyId.slice(0, 16)}…).`);
      } finally {
        await store.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** One line for a person: OK, or the first problem and how many more. */
function describe(r: VerifyResult): string {
  if (r.ok) return `OK: ${r.records} records and ${r.checkpoints} checkpoints verified.`;
  const p = r.firstProblem!;
  const where = [p.seq !== undefined ? `seq ${p.seq}` : null, p.department ?? null, p.checkpointId !== undefined ? `checkpoint ${p.checkpointId}` : null]
    .filter(Boolean)
    .join(', ');
  const more = r.problems.length > 1 ? ` (${r.problems.length - 1} more problem${r.problems.length > 2 ? 's' : ''})` : '';
  return `FAILED ${p.kind}${where ? ` at ${where}` : ''}: ${p.message}${more}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // One line, no stack: the reader is an auditor, not a debugger.
    const message = e instanceof Error ? e.message : String(e);
    console.error(e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `${message}\n${USAGE}` : `audit: ${message}`);
    process.exitCode = 2;
  },
);
