/**
 * The auditor's command line over the supervision store.
 *
 *   npm run -s audit -- verify [--checkpoint FILE] [--db URL|PATH] [--json]
 *   npm run -s audit -- export-checkpoints FILE [--db URL|PATH]
 *   npm run -s audit -- checkpoint [--db URL|PATH] [--algorithm sm2|ed25519]
 *   npm run -s audit -- verify-proof FILE (--keys EXPORT | --public-key PEM) [--hash sm3|sha256]
 *   npm run -s audit -- witness --url GATEWAY --state DIR [--operator-key PEM] (token in CITYGRAPH_TOKEN or --token)
 *   npm run -s audit -- verify --witnesses K --witness-key PEM [--witness-key PEM …]
 *
 * The store is `--db`, else DATABASE_URL, else `$CITYGRAPH_DATA_DIR/supervision.db` (default `.data`).
 * Exit codes: 0 everything holds; 1 verification found a problem; 2 nothing could be verified or done
 * (bad usage, store unreadable).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultKeyPaths } from '../supervision/config.ts';
import { addSignedCheckpoint, writeCheckpointExport } from '../supervision/maintenance.ts';
import { openBackend } from '../supervision/open-backend.ts';
import { loadOrCreateSigner, type SignatureAlgorithm } from '../supervision/signing.ts';
import { readCheckpointFile, type Checkpoint, type PublicKeyEntry } from '../supervision/checkpoint.ts';
import type { HashAlgorithm } from '../supervision/hashing.ts';
import { checkConsistencyAnswer, checkInclusionAnswer, type ProofCheck } from '../supervision/proof-check.ts';
import { keyIdOf } from '../supervision/signing.ts';
import { verifyStore } from '../supervision/verify-store.ts';
import { runWitness, WitnessRefusal } from '../supervision/witness.ts';
import type { VerifyResult } from '../supervision/verify.ts';
import { useCompileCache } from './lib/processes.ts';

// The verifier's worker threads load their modules from the city's code cache (see useCompileCache).
useCompileCache();

const USAGE = `usage: audit verify [--checkpoint FILE] [--db URL|PATH] [--json] [--witnesses K --witness-key PEM …]
       audit export-checkpoints FILE [--db URL|PATH]
       audit checkpoint [--db URL|PATH] [--algorithm sm2|ed25519]
       audit verify-proof FILE (--keys EXPORT | --public-key PEM) [--hash sm3|sha256]
       audit witness --url GATEWAY --state DIR [--operator-key PEM] [--token TOKEN]`;

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
      keys: { type: 'string' },
      'public-key': { type: 'string' },
      hash: { type: 'string', default: 'sm3' },
      url: { type: 'string' },
      state: { type: 'string' },
      'operator-key': { type: 'string' },
      token: { type: 'string' },
      witnesses: { type: 'string' },
      'witness-key': { type: 'string', multiple: true },
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
      const require = cosignatureDemand(values.witnesses, values['witness-key']);
      const result = await verifyStore({ db, ...(values.checkpoint ? { checkpointFile: values.checkpoint } : {}), ...(require ? { requireCosignatures: require } : {}) });
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
    case 'verify-proof': {
      const [file, ...more] = rest;
      if (!file || more.length) throw new UsageError('verify-proof needs exactly one FILE: the JSON answer of supervisionRecord or consistencyProof');
      const check = await verifyProofFile(file, values.keys, values['public-key'], values.hash);
      for (const m of check.messages) console.log(`${check.ok ? 'OK' : 'FAILED'}: ${m}`);
      return check.ok ? 0 : 1;
    }
    case 'witness': {
      if (rest.length) throw new UsageError(`unexpected ${rest.join(' ')}`);
      if (!values.url || !values.state) throw new UsageError('witness needs --url GATEWAY and --state DIR');
      const token = values.token ?? process.env.CITYGRAPH_TOKEN;
      if (!token) throw new UsageError('witness needs an auditor token with scope witness:cosign: --token or CITYGRAPH_TOKEN');
      try {
        const r = await runWitness({
          url: values.url, stateDir: values.state, token, ...(values['operator-key'] ? { operatorKeyPem: readFileSync(values['operator-key'], 'utf8') } : {}),
        });
        console.log(`Cosigned checkpoint ${r.checkpointId} with witness key ${r.keyId.slice(0, 16)}… (${r.checked.join('; ')}).`);
        return 0;
      } catch (e) {
        if (e instanceof WitnessRefusal) {
          console.log(`REFUSED: ${e.message}`);
          return 1;
        }
        throw e;
      }
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** `--witnesses K --witness-key PEM…` → the demand, or undefined when none was asked. */
function cosignatureDemand(k: string | undefined, keys: string[] | undefined): { k: number; trustedKeys: string[] } | undefined {
  if (k === undefined) {
    if (keys?.length) throw new UsageError('--witness-key needs --witnesses K');
    return undefined;
  }
  const n = Number(k);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--witnesses is a whole number of cosignatures, at least 1');
  if (!keys || keys.length < n) throw new UsageError(`--witnesses ${n} needs at least ${n} --witness-key files: the witnesses you trust`);
  return { k: n, trustedKeys: keys.map((f) => readFileSync(f, 'utf8')) };
}

/** Checks a proof file offline against the keys the auditor trusts. */
async function verifyProofFile(file: string, keysFile: string | undefined, publicKeyFile: string | undefined, hash: string): Promise<ProofCheck> {
  if (!keysFile && !publicKeyFile) throw new UsageError('verify-proof needs the keys you trust: --keys EXPORT (export-checkpoints) or --public-key PEM');
  if (hash !== 'sm3' && hash !== 'sha256') throw new UsageError('--hash is sm3 or sha256');
  let json: any;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the proof ${file}: ${(e as Error).message}`);
  }
  const answer = json?.data ?? json;
  const keys: PublicKeyEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  if (keysFile) {
    const exp = await readCheckpointFile(keysFile);
    keys.push(...exp.keys);
    checkpoints.push(...exp.checkpoints);
  }
  if (publicKeyFile) {
    const pem = readFileSync(publicKeyFile, 'utf8');
    const entry = (['sm2', 'ed25519'] as const).map((algorithm) => {
      try {
        return { keyId: keyIdOf(algorithm, pem), algorithm, publicKeyPem: pem };
      } catch {
        return null;
      }
    }).find((k) => k !== null);
    if (!entry) throw new Error(`${publicKeyFile} is not an SM2 or Ed25519 public key`);
    keys.push(entry);
  }
  if (answer?.supervisionRecord !== undefined || answer?.record) return checkInclusionAnswer(answer.supervisionRecord ?? answer, keys);
  if (answer?.consistencyProof !== undefined || answer?.fromSize !== undefined) {
    const alg = (checkpoints[0]?.hashAlgorithm ?? hash) as HashAlgorithm;
    return checkConsistencyAnswer(answer.consistencyProof ?? answer, alg, keys, checkpoints);
  }
  throw new Error(`${file} holds neither a supervisionRecord nor a consistencyProof answer`);
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
