/**
 * An independent witness of the supervision log. It keeps its own SM2 key and its own state (the last
 * checkpoint it cosigned); each run fetches the operator's newest checkpoint through the gateway,
 * checks the operator's signature and that every chain's tree extends the one it holds (RFC 9162
 * consistency proofs), then cosigns and publishes the cosignature back. A checkpoint that does not
 * extend what it holds — a forked or rewritten history — is refused with the reason, and nothing is signed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkpointSchema, checkpointSignatureValid, cosignatureMessage, type Checkpoint, type Cosignature } from './checkpoint.ts';
import { verifyConsistency } from './merkle.ts';
import { checkpointFromGraph } from './proof-check.ts';
import { keyIdOf, loadOrCreateSigner } from './signing.ts';

/** Options of one witness run. */
export interface WitnessOptions {
  /** The gateway's GraphQL URL. Required. */
  url: string;
  /** The witness's folder: its key pair and state. Created when missing. Required. */
  stateDir: string;
  /** Bearer token of an auditor account with scope `witness:cosign`. Required. */
  token: string;
  /** The operator's checkpoint public key (SPKI PEM); required on the first run, remembered after. */
  operatorKeyPem?: string;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

/** What a run did. */
export interface WitnessResult {
  /** The checkpoint cosigned. */
  checkpointId: number;
  /** The witness's key fingerprint. */
  keyId: string;
  /** One line per chain checked. */
  checked: string[];
}

/** The witness refused to cosign: the history does not extend what it holds, or something cannot be trusted. */
export class WitnessRefusal extends Error {
  override readonly name = 'WitnessRefusal';
}

/** The witness cannot run (bad state, unreachable gateway, bad usage); nothing was signed. */
export class WitnessError extends Error {
  override readonly name = 'WitnessError';
}

const STATE_FORMAT = 'citygraph-witness/1';
const stateSchema = z
  .object({ format: z.literal(STATE_FORMAT), operatorKeyPem: z.string().includes('BEGIN PUBLIC KEY'), last: checkpointSchema.nullable() })
  .strict();
type State = z.infer<typeof stateSchema>;

const CHECKPOINT_FIELDS = 'id time hashAlgorithm signatureAlgorithm heads { department deptSeq hash root } totalSeq keyId signature';

/** Runs the witness once; throws WitnessRefusal (a fork) or WitnessError (cannot check). */
export async function runWitness(o: WitnessOptions): Promise<WitnessResult> {
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const signer = loadOrCreateSigner({ algorithm: 'sm2', privateKeyPath: join(o.stateDir, 'witness-sm2.key.pem'), publicKeyPath: join(o.stateDir, 'witness-sm2.pub.pem') });
  const state = readState(o.stateDir, o.operatorKeyPem);
  const gql = graphql(o);

  // The newest only: a long-running city signs thousands of checkpoints a day.
  const cps = (await gql(`query WitnessCheckpoints { checkpoints(last: 1) { ${CHECKPOINT_FIELDS} } }`)).checkpoints as unknown[] | null;
  if (!Array.isArray(cps) || cps.length === 0) throw new WitnessError('The gateway shows no checkpoint to cosign yet.');
  const latest = checkpointFromGraph(cps[cps.length - 1] as Record<string, unknown>);
  if (!latest) throw new WitnessError('The newest checkpoint is not of the checkpoint shape.');
  const operatorKeyId = safeKeyId(state.operatorKeyPem);
  if (latest.keyId !== operatorKeyId || !checkpointSignatureValid(latest, { keyId: operatorKeyId, algorithm: latest.signatureAlgorithm, publicKeyPem: state.operatorKeyPem })) {
    throw new WitnessRefusal(`Checkpoint ${latest.id} is not signed by the operator key this witness holds (${operatorKeyId.slice(0, 16)}…).`);
  }
  if (latest.heads.some((h) => !h.root)) throw new WitnessRefusal(`Checkpoint ${latest.id} has chains without a Merkle root; a witness cosigns only trees it can check.`);

  const checked: string[] = [];
  const last = state.last as Checkpoint | null;
  if (last) {
    if (latest.id < last.id) throw new WitnessRefusal(`The newest checkpoint is ${latest.id}, older than checkpoint ${last.id} this witness already cosigned: the log was rolled back.`);
    for (const held of last.heads) {
      const now = latest.heads.find((h) => h.department === held.department);
      if (!now) throw new WitnessRefusal(`Checkpoint ${latest.id} has no ${held.department} chain, which checkpoint ${last.id} had with ${held.deptSeq} records: it was removed.`);
      if (now.deptSeq < held.deptSeq) throw new WitnessRefusal(`The ${held.department} chain shrank from ${held.deptSeq} to ${now.deptSeq} records: it was truncated.`);
      if (now.deptSeq === held.deptSeq) {
        if (now.root !== held.root) throw new WitnessRefusal(`The ${held.department} tree of ${held.deptSeq} records has another root than the one cosigned in checkpoint ${last.id}: forked.`);
        checked.push(`${held.department}: unchanged at ${held.deptSeq}`);
        continue;
      }
      const proof = (await gql(`query WitnessConsistency($c: String!, $f: Int!, $t: Int!) { consistencyProof(chain: $c, fromSize: $f, toSize: $t) { fromRoot toRoot proof } }`, {
        c: held.department, f: held.deptSeq, t: now.deptSeq,
      })).consistencyProof as { fromRoot: string; toRoot: string; proof: string[] } | null;
      if (!proof) throw new WitnessRefusal(`The gateway gave no consistency proof of ${held.department} from ${held.deptSeq} to ${now.deptSeq}.`);
      if (proof.fromRoot !== held.root || proof.toRoot !== now.root || !verifyConsistency(latest.hashAlgorithm, held.deptSeq, now.deptSeq, held.root!, now.root!, proof.proof)) {
        throw new WitnessRefusal(
          `Checkpoint ${latest.id} does not extend checkpoint ${last.id}: the ${held.department} tree of ${now.deptSeq} records does not contain the tree of ${held.deptSeq} this witness cosigned (forked or rewritten history).`,
        );
      }
      checked.push(`${held.department}: ${held.deptSeq} → ${now.deptSeq} consistent`);
    }
  } else {
    checked.push(`first checkpoint seen: ${latest.heads.map((h) => `${h.department} ${h.deptSeq}`).join(', ')}`);
  }

  const time = new Date().toISOString();
  const cosignature: Cosignature = {
    checkpointId: latest.id, keyId: signer.keyId, algorithm: 'sm2', publicKeyPem: signer.publicKeyPem, time, signature: signer.sign(cosignatureMessage(latest, time)),
  };
  // Remember first, publish second: a witness that crashed after publishing must not cosign a fork of it later.
  writeState(o.stateDir, { format: STATE_FORMAT, operatorKeyPem: state.operatorKeyPem, last: latest });
  await gql(`mutation WitnessCosign($input: CosignatureInput!) { addCheckpointCosignature(input: $input) { checkpointId } }`, { input: cosignature });
  return { checkpointId: latest.id, keyId: signer.keyId, checked };
}

function safeKeyId(pem: string): string {
  try {
    return keyIdOf('sm2', pem);
  } catch {
    try {
      return keyIdOf('ed25519', pem);
    } catch {
      throw new WitnessError('The operator key is neither an SM2 nor an Ed25519 public key.');
    }
  }
}

function readState(dir: string, operatorKeyPem: string | undefined): State {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) {
    if (!operatorKeyPem) throw new WitnessError(`No state in ${dir} yet: give the operator's checkpoint public key (--operator-key FILE) on the first run.`);
    return { format: STATE_FORMAT, operatorKeyPem, last: null };
  }
  let parsed;
  try {
    parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new WitnessError(`The witness state ${file} is corrupted (${(e as Error).message}); nothing was signed. Restore it from a backup.`);
  }
  if (!parsed.success) throw new WitnessError(`The witness state ${file} is corrupted (${parsed.error.issues[0]?.path.join('.') || 'shape'}); nothing was signed. Restore it from a backup.`);
  if (operatorKeyPem && safeKeyId(operatorKeyPem) !== safeKeyId(parsed.data.operatorKeyPem)) {
    throw new WitnessRefusal('That operator key is not the one this witness has been checking; a witness never changes the key it trusts.');
  }
  return parsed.data;
}

function writeState(dir: string, state: State): void {
  const file = join(dir, 'state.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function graphql(o: WitnessOptions) {
  const doFetch = o.fetch ?? fetch;
  return async (query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> => {
    let res: Response;
    try {
      res = await doFetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}`, 'x-purpose': 'witness' },
        body: JSON.stringify({ query, variables }),
      });
    } catch (e) {
      throw new WitnessError(`Cannot reach the gateway at ${o.url}: ${(e as Error).message}.`);
    }
    const body = (await res.json().catch(() => null)) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    if (!body) throw new WitnessError(`The gateway answered ${res.status} without JSON.`);
    if (body.errors?.length) {
      const e = body.errors[0]!;
      throw new WitnessError(`The gateway refused: ${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
    }
    return body.data ?? {};
  };
}
