/**
 * Offline checks of the proofs the graph hands out, as an outsider runs them: nothing of the store is
 * read, only the proof (the JSON answer of `supervisionRecord` or `consistencyProof`) and the public
 * keys the outsider trusts. Each check returns every reason it fails, in words for a person.
 */
import { checkpointSchema, checkpointSignatureValid, type Checkpoint, type PublicKeyEntry } from './checkpoint.ts';
import { isHashAlgorithm, type HashAlgorithm } from './hashing.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { recordHash, type SupervisionRecord } from './record.ts';

/** The outcome of a check. */
export interface ProofCheck {
  /** True when everything holds. */
  ok: boolean;
  /** What was proven, when ok; why not, otherwise. */
  messages: string[];
}

type Json = Record<string, any>;

/** A checkpoint as the graph shows it (extra fields such as cosignatures, null roots) → the signed checkpoint. */
export function checkpointFromGraph(g: Json): Checkpoint | null {
  if (!g || typeof g !== 'object') return null;
  const heads = Array.isArray(g.heads)
    ? g.heads.map((h: Json) => ({ department: h.department, deptSeq: h.deptSeq, hash: h.hash, ...(typeof h.root === 'string' ? { root: h.root } : {}) }))
    : g.heads;
  const parsed = checkpointSchema.safeParse({
    id: g.id, time: g.time, hashAlgorithm: g.hashAlgorithm, signatureAlgorithm: g.signatureAlgorithm, heads, totalSeq: g.totalSeq, keyId: g.keyId, signature: g.signature,
  });
  return parsed.success ? (parsed.data as Checkpoint) : null;
}

/** A record as the graph shows it (kind in capitals, args as JSON text) → the record as it was hashed. */
export function recordFromGraph(g: Json): SupervisionRecord {
  const pseudo = (p: Json | null | undefined) => (p ? { hmac: p.hmac, masked: p.masked } : null);
  return {
    seq: g.seq, deptSeq: g.deptSeq, time: g.time, department: g.department, kind: String(g.kind).toLowerCase() as SupervisionRecord['kind'],
    intentSeq: g.intentSeq ?? null,
    actor: { role: g.actor?.role, department: g.actor?.department ?? null, client: g.actor?.client ?? null, sub: pseudo(g.actor?.sub), onBehalfOf: pseudo(g.actor?.onBehalfOf) },
    operation: g.operation ?? null, field: g.field, powerItem: g.powerItem ?? null,
    subject: g.subject ? { kind: g.subject.kind, hmac: g.subject.hmac, masked: g.subject.masked } : null,
    caseNumber: g.caseNumber ?? null, argsDigest: g.argsDigest ?? null, args: typeof g.args === 'string' ? JSON.parse(g.args) : (g.args ?? null),
    outcome: g.outcome, errorCode: g.errorCode ?? null, requestId: g.requestId ?? null, prevHash: g.prevHash, hash: g.hash,
  };
}

function signed(cp: Checkpoint, keys: readonly PublicKeyEntry[], out: string[]): boolean {
  const key = keys.find((k) => k.keyId === cp.keyId);
  if (!key) {
    out.push(`Checkpoint ${cp.id} is signed by key ${cp.keyId.slice(0, 16)}…, which is not among the keys you trust.`);
    return false;
  }
  if (!checkpointSignatureValid(cp, key)) {
    out.push(`The signature of checkpoint ${cp.id} does not verify.`);
    return false;
  }
  return true;
}

/**
 * Checks a `supervisionRecord` answer: the record hashes to its hash, its leaf is in the tree, and the
 * tree is the one the checkpoint signed with a key among `keys`.
 */
export function checkInclusionAnswer(answer: Json, keys: readonly PublicKeyEntry[]): ProofCheck {
  const out: string[] = [];
  const inc = answer?.inclusion;
  if (!answer?.record) return { ok: false, messages: ['This is not a supervisionRecord answer (no record).'] };
  if (!inc) return { ok: false, messages: [answer.pending ?? 'The answer has no inclusion proof.'] };
  const cp = checkpointFromGraph(answer.checkpoint);
  if (!cp) return { ok: false, messages: ['The answer has no checkpoint of the right shape (select every Checkpoint field, heads with root).'] };
  const alg: HashAlgorithm = isHashAlgorithm(cp.hashAlgorithm) ? cp.hashAlgorithm : 'sm3';
  let record: SupervisionRecord;
  try {
    record = recordFromGraph(answer.record);
  } catch {
    return { ok: false, messages: ['The record cannot be read (is args JSON text?).'] };
  }
  let ok = true;
  if (recordHash(record, alg) !== record.hash) {
    ok = false;
    out.push(`Record seq ${record.seq} does not hash to ${String(record.hash).slice(0, 16)}…: a field was altered (or not selected).`);
  }
  if (leafHash(alg, record.hash) !== inc.leafHash) {
    ok = false;
    out.push('The leaf hash is not H(0x00 ‖ record hash).');
  }
  if (inc.department !== record.department || inc.leafIndex !== record.deptSeq - 1 || inc.checkpointId !== cp.id) {
    ok = false;
    out.push('The proof is for another place (department, leaf index or checkpoint) than the record.');
  }
  const head = cp.heads.find((h) => h.department === record.department);
  if (!head || head.deptSeq !== inc.treeSize || head.root !== inc.root) {
    ok = false;
    out.push(`Checkpoint ${cp.id} did not sign a ${record.department} tree of ${inc.treeSize} records with root ${String(inc.root).slice(0, 16)}….`);
  }
  if (!verifyInclusion(alg, inc.leafIndex, inc.treeSize, inc.leafHash, inc.auditPath, inc.root)) {
    ok = false;
    out.push(`The audit path does not lead from the leaf to the root: record seq ${record.seq} is not in that tree.`);
  }
  if (!signed(cp, keys, out)) ok = false;
  if (ok) out.push(`Record seq ${record.seq} (${record.department} #${record.deptSeq}) is in the ${record.department} tree of ${inc.treeSize} records signed by checkpoint ${cp.id} (${inc.auditPath.length} hashes).`);
  return { ok, messages: out };
}

/**
 * Checks a `consistencyProof` answer; with `checkpoints` (signed, trusted through `keys`), also that
 * both roots are the ones those checkpoints signed for the chain at those sizes.
 */
export function checkConsistencyAnswer(answer: Json, hashAlgorithm: HashAlgorithm, keys: readonly PublicKeyEntry[] = [], checkpoints: readonly Checkpoint[] = []): ProofCheck {
  const out: string[] = [];
  const p = answer;
  if (!p || typeof p.fromSize !== 'number' || !Array.isArray(p.proof)) return { ok: false, messages: ['This is not a consistencyProof answer.'] };
  let ok = verifyConsistency(hashAlgorithm, p.fromSize, p.toSize, p.fromRoot, p.toRoot, p.proof);
  if (!ok) out.push(`The proof does not show that the ${p.department} tree of ${p.toSize} records extends the one of ${p.fromSize}.`);
  for (const [size, root] of [[p.fromSize, p.fromRoot], [p.toSize, p.toRoot]] as const) {
    const cp = checkpoints.find((c) => c.heads.some((h) => h.department === p.department && h.deptSeq === size && h.root));
    if (!cp) continue;
    const head = cp.heads.find((h) => h.department === p.department && h.deptSeq === size)!;
    if (!signed(cp, keys, out)) ok = false;
    else if (head.root !== root) {
      ok = false;
      out.push(`Checkpoint ${cp.id} signed another root for ${p.department} at ${size} records: the history was rewritten.`);
    } else out.push(`The root at ${size} records is the one checkpoint ${cp.id} signed.`);
  }
  if (ok) out.push(`The ${p.department} tree of ${p.toSize} records extends the one of ${p.fromSize} (${p.proof.length} hashes).`);
  return { ok, messages: out };
}
