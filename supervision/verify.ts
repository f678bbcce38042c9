/**
 * The offline verifier. It trusts nothing in the store: it re-hashes every record from its columns,
 * walks every department chain, checks global and per-department sequence continuity, outcome→intent
 * references, checkpoint signatures, and that every checkpoint head (the store's own and a witness's)
 * is still on the chain. A witness checkpoint is what proves truncation and forks: the chain alone
 * cannot tell a consistently rewritten tail from the real one.
 */
import { checkpointSignatureValid, cosignatureValid, parseCheckpoint, type Checkpoint, type CheckpointExport, type Cosignature, type PublicKeyEntry } from './checkpoint.ts';
import { MerkleFrontier } from './merkle.ts';
import { keyIdOf } from './signing.ts';
import { GENESIS_HASH, type HashAlgorithm } from './hashing.ts';
import { storedRecordHash, type SupervisionRecord } from './record.ts';

/** What went wrong, in the vocabulary of an auditor. */
export type ProblemKind =
  | 'modified' | 'deleted' | 'inserted' | 'reordered' | 'truncated' | 'forked' | 'badSignature' | 'corruptCheckpoint' | 'uncosigned';

/** One problem found. */
export interface Problem {
  /** Kind of tampering (or damage) it shows. */
  kind: ProblemKind;
  /** Global seq of the record concerned, when there is one. */
  seq?: number;
  /** Department chain concerned, when there is one. */
  department?: string;
  /** Checkpoint concerned, when there is one. */
  checkpointId?: number;
  /** One sentence for a person. */
  message: string;
}

/** The verifier's answer. */
export interface VerifyResult {
  /** True when nothing was found. */
  ok: boolean;
  /** Records read. */
  records: number;
  /** Checkpoints checked (stored and witness). */
  checkpoints: number;
  /** The first problem in log order (records first, then checkpoints). */
  firstProblem?: Problem;
  /** Every problem found. */
  problems: Problem[];
}

/** Everything the verifier reads. */
export interface VerifyInput {
  /** The store's hash algorithm. */
  hashAlgorithm: HashAlgorithm;
  /** Reads up to `limit` records after seq `afterSeq`, in stored seq order; called twice over the log. */
  scan: (afterSeq: number, limit: number) => Promise<SupervisionRecord[]>;
  /** The store's checkpoints as stored text. */
  checkpointTexts: string[];
  /** Public keys recorded in the store. */
  storeKeys: PublicKeyEntry[];
  /** A witness's export, whose keys are trusted over the store's. */
  witness?: CheckpointExport;
  /** Records per read; default 10000. */
  batchSize?: number;
  /** Witness cosignatures stored beside the checkpoints (JSON text); default none. */
  cosignatureTexts?: string[];
  /**
   * Demand `k` valid cosignatures, by distinct keys among `trustedKeys` (SPKI PEM of the witnesses the
   * auditor trusts), on the newest checkpoint; default no demand.
   */
  requireCosignatures?: { k: number; trustedKeys: string[] };
}

/** What the walk over the records learnt that the checkpoint checks need. */
export interface WalkFacts {
  /** Records read. */
  count: number;
  /** Highest seq read. */
  maxSeq: number;
  /** The first record at each checkpoint head: its hash and seq. */
  found: ByPosition<{ hash: string; seq: number }>;
  /** Each chain's Merkle root at every tree size a checkpoint signs. */
  rootAt: ByPosition<string>;
  /** Each chain's highest deptSeq. */
  length: Map<string, number>;
}

/**
 * Values by chain position, department then deptSeq: a text key per position (department and number
 * joined) cost ≈ 1 µs to build and hash, once per record in the plain walk and per head and root in the
 * parallel join.
 */
export class ByPosition<T> {
  private readonly byDepartment = new Map<string, Map<number, T>>();

  /** The positions of one department (undefined when it has none), to look up many of its records. */
  of(department: string): Map<number, T> | undefined {
    return this.byDepartment.get(department);
  }

  get(department: string, deptSeq: number): T | undefined {
    return this.byDepartment.get(department)?.get(deptSeq);
  }

  set(department: string, deptSeq: number, value: T): void {
    let positions = this.byDepartment.get(department);
    if (!positions) {
      positions = new Map();
      this.byDepartment.set(department, positions);
    }
    positions.set(deptSeq, value);
  }
}

/** A checkpoint to check, where it came from and the key it names (undefined: unknown). */
export interface CheckpointToCheck {
  cp: Checkpoint;
  source: string;
  key: PublicKeyEntry | undefined;
}

interface ChainState {
  expected: number;
  lastHash: string;
  lastSeq: number | null;
  lastOk: boolean;
}

/** Verifies a log; never throws for tampered data, only for a failing read. */
export async function verifyLog(input: VerifyInput): Promise<VerifyResult> {
  const problems: Problem[] = [];
  const batch = input.batchSize ?? 10_000;
  const cps = collectCheckpoints(input, problems);
  // Per position: 2 when a checkpoint signs its root as well as its head, else 1.
  const wanted = new ByPosition<number>();
  for (const { cp } of cps) for (const h of cp.heads) wanted.set(h.department, h.deptSeq, Math.max(wanted.get(h.department, h.deptSeq) ?? 0, h.root ? 2 : 1));

  // One walk in stored seq order. How often each department position occurs (which tells a reordered
  // record from a deleted or inserted one) is known only at the end, so those few problems are named then.
  const occurs = new Map<string, Map<number, number>>();
  const undecided: { problem: Problem; decide: () => Problem }[] = [];
  const chains = new Map<string, ChainState>();
  // Each chain's Merkle tree, grown record by record, so a checkpoint's root is checked in O(log n) memory.
  const trees = new Map<string, MerkleFrontier>();
  const rootAt = new ByPosition<string>();
  const intents = new Map<number, { department: string; open: boolean; outcomes: number }>();
  const found = new ByPosition<{ hash: string; seq: number }>();
  const length = new Map<string, number>();
  let expectedSeq = 1;
  let count = 0;
  let maxSeq = 0;
  for await (const r of records(input.scan, batch)) {
    count++;
    const at = { seq: r.seq, department: r.department };
    if (r.seq > expectedSeq) {
      const range = r.seq - 1 > expectedSeq ? `${expectedSeq}–${r.seq - 1}` : `${expectedSeq}`;
      problems.push({ kind: 'deleted', seq: expectedSeq, message: `Record seq ${range} is missing before seq ${r.seq}.` });
    } else if (r.seq < expectedSeq) {
      problems.push({ kind: 'inserted', ...at, message: `Record seq ${r.seq} appears more than once or out of order.` });
    }
    expectedSeq = Math.max(expectedSeq, r.seq + 1);
    maxSeq = Math.max(maxSeq, r.seq);

    let st = chains.get(r.department);
    let seen = occurs.get(r.department);
    if (!st || !seen) {
      st = { expected: 1, lastHash: GENESIS_HASH, lastSeq: null, lastOk: true };
      chains.set(r.department, st);
      seen = new Map<number, number>();
      occurs.set(r.department, seen);
    }
    seen.set(r.deptSeq, (seen.get(r.deptSeq) ?? 0) + 1);
    let structural = true;
    if (r.deptSeq !== st.expected) {
      structural = false;
      const expected = st.expected;
      const positions = seen;
      const decide = (): Problem => {
        if (r.deptSeq > expected) {
          return positions.has(expected)
            ? { kind: 'reordered', ...at, message: `Record seq ${r.seq} (${r.department} #${r.deptSeq}) stands where ${r.department} #${expected} belongs.` }
            : { kind: 'deleted', ...at, message: `${r.department} #${expected}${r.deptSeq - 1 > expected ? `–${r.deptSeq - 1}` : ''} is missing before record seq ${r.seq}.` };
        }
        return (positions.get(r.deptSeq) ?? 0) > 1
          ? { kind: 'inserted', ...at, message: `Record seq ${r.seq} claims ${r.department} #${r.deptSeq}, which an earlier record holds.` }
          : { kind: 'reordered', ...at, message: `Record seq ${r.seq} (${r.department} #${r.deptSeq}) comes after #${expected - 1}.` };
      };
      const problem: Problem = { kind: 'reordered', ...at, message: '' };
      problems.push(problem);
      undecided.push({ problem, decide });
    }
    const hashOk = storedRecordHash(r, input.hashAlgorithm) === r.hash;
    if (structural && !hashOk) {
      problems.push({ kind: 'modified', ...at, message: `Record seq ${r.seq} (${r.department} #${r.deptSeq}) does not match its hash: it was modified.` });
    } else if (structural && st.lastOk && r.prevHash !== st.lastHash) {
      // The record is intact but its predecessor's hash changed: the predecessor was rewritten.
      const prev = st.lastSeq;
      problems.push(
        prev === null
          ? { kind: 'inserted', ...at, message: `Record seq ${r.seq} starts ${r.department} but does not link to the genesis hash.` }
          : { kind: 'modified', seq: prev, department: r.department, message: `Record seq ${prev} was rewritten: record seq ${r.seq} no longer links to it.` },
      );
    }
    checkKind(r, intents, problems);

    if (r.deptSeq >= st.expected) st.expected = r.deptSeq + 1;
    st.lastHash = r.hash;
    st.lastSeq = r.seq;
    st.lastOk = structural && hashOk;
    length.set(r.department, Math.max(length.get(r.department) ?? 0, r.deptSeq));
    const want = wanted.of(r.department)?.get(r.deptSeq) ?? 0;
    if (want > 0 && found.get(r.department, r.deptSeq) === undefined) found.set(r.department, r.deptSeq, { hash: r.hash, seq: r.seq });
    let tree = trees.get(r.department);
    if (!tree) {
      tree = new MerkleFrontier(input.hashAlgorithm);
      trees.set(r.department, tree);
    }
    if (tree.size === r.deptSeq - 1) {
      tree.pushRecord(r.hash);
      if (want === 2 && rootAt.get(r.department, r.deptSeq) === undefined) rootAt.set(r.department, r.deptSeq, tree.root());
    }
  }
  for (const { problem, decide } of undecided) Object.assign(problem, decide());
  return concludeVerify(input, cps, { count, maxSeq, found, rootAt, length }, problems);
}

/**
 * The checks after the walk (checkpoint signatures, heads, roots, truncation, cosignatures), appended to
 * the walk's `problems`, and the verifier's answer. The parallel verifier calls it with what its workers
 * found, `signatureValid` included: each checkpoint's `checkpointSignatureValid` under its key, by index
 * of `cps` (its workers check them; without it they are checked here).
 */
export function concludeVerify(input: VerifyInput, cps: CheckpointToCheck[], facts: WalkFacts, problems: Problem[], signatureValid?: readonly boolean[]): VerifyResult {
  const { count, maxSeq, found, rootAt, length } = facts;
  for (const [i, { cp, source, key }] of cps.entries()) {
    const label = `${source} checkpoint ${cp.id}`;
    if (!key) {
      problems.push({ kind: 'badSignature', checkpointId: cp.id, message: `The ${label} is signed by an unknown key ${cp.keyId.slice(0, 16)}….` });
      continue;
    }
    if (!(signatureValid ? signatureValid[i] === true : checkpointSignatureValid(cp, key))) {
      problems.push({ kind: 'badSignature', checkpointId: cp.id, message: `The signature of the ${label} does not verify.` });
      continue;
    }
    if (cp.hashAlgorithm !== input.hashAlgorithm) {
      problems.push({ kind: 'corruptCheckpoint', checkpointId: cp.id, message: `The ${label} is for ${cp.hashAlgorithm} records, but this store hashes with ${input.hashAlgorithm}.` });
      continue;
    }
    for (const h of cp.heads) {
      const have = found.get(h.department, h.deptSeq);
      if (!have) {
        const len = length.get(h.department) ?? 0;
        problems.push({
          kind: 'truncated',
          department: h.department,
          seq: maxSeq + 1,
          checkpointId: cp.id,
          message: `${h.department} has ${len} records, but the ${label} saw ${h.deptSeq}: its tail was truncated.`,
        });
      } else if (h.root && rootAt.get(h.department, h.deptSeq) !== h.root && have.hash === h.hash) {
        problems.push({
          kind: 'forked',
          department: h.department,
          seq: have.seq,
          checkpointId: cp.id,
          message: `The Merkle tree of ${h.department}'s first ${h.deptSeq} records differs from the root the ${label} signed: the history was rewritten (fork).`,
        });
      } else if (have.hash !== h.hash) {
        problems.push({
          kind: 'forked',
          department: h.department,
          seq: have.seq,
          checkpointId: cp.id,
          message: `Record seq ${have.seq} (${h.department} #${h.deptSeq}) differs from the head the ${label} signed: the history was rewritten (fork).`,
        });
      }
    }
    if (cp.totalSeq > maxSeq && !problems.some((p) => p.kind === 'truncated' && p.checkpointId === cp.id)) {
      problems.push({ kind: 'truncated', seq: maxSeq + 1, checkpointId: cp.id, message: `The log ends at seq ${maxSeq}, but the ${label} covered seq ${cp.totalSeq}.` });
    }
  }
  if (input.requireCosignatures) checkCosignatures(input, cps, problems);
  const first = problems[0];
  return { ok: problems.length === 0, records: count, checkpoints: cps.length, ...(first ? { firstProblem: first } : {}), problems };
}

function checkKind(r: SupervisionRecord, intents: Map<number, { department: string; open: boolean; outcomes: number }>, problems: Problem[]): void {
  const at = { seq: r.seq, department: r.department };
  if (r.kind === 'intent') {
    intents.set(r.seq, { department: r.department, open: r.outcome === 'PENDING', outcomes: 0 });
  } else if (r.kind === 'outcome') {
    const intent = r.intentSeq === null ? undefined : intents.get(r.intentSeq);
    if (!intent || intent.department !== r.department || !intent.open) {
      problems.push({ kind: 'inserted', ...at, message: `Outcome seq ${r.seq} refers to intent seq ${r.intentSeq}, which is not an open intent before it.` });
      return;
    }
    // One definitive outcome per intent; a late real outcome may follow OUTCOME_UNKNOWN.
    if (r.outcome !== 'OUTCOME_UNKNOWN') intent.outcomes++;
    if (intent.outcomes > 1) problems.push({ kind: 'inserted', ...at, message: `Outcome seq ${r.seq} is a second outcome of intent seq ${r.intentSeq}.` });
  }
}

function checkCosignatures(input: VerifyInput, cps: { cp: Checkpoint; source: string }[], problems: Problem[]): void {
  const { k, trustedKeys } = input.requireCosignatures!;
  const newest = cps.filter((c) => c.source === 'stored').map((c) => c.cp).sort((a, b) => b.id - a.id)[0];
  if (!newest) {
    problems.push({ kind: 'uncosigned', message: `${k} witness cosignatures are required, but the store has no checkpoint.` });
    return;
  }
  const trusted = new Set(trustedKeys.map(witnessKeyId));
  const signers = new Set<string>();
  for (const text of input.cosignatureTexts ?? []) {
    let c: Cosignature;
    try {
      c = JSON.parse(text) as Cosignature;
    } catch {
      continue;
    }
    if (c.checkpointId === newest.id && trusted.has(c.keyId) && cosignatureValid(newest, c)) signers.add(c.keyId);
  }
  if (signers.size < k) {
    problems.push({
      kind: 'uncosigned',
      checkpointId: newest.id,
      message: `Checkpoint ${newest.id} carries ${signers.size} valid cosignature${signers.size === 1 ? '' : 's'} by trusted witnesses; ${k} are required.`,
    });
  }
}

/** The fingerprint of a witness public key, SM2 or Ed25519; '' when it is neither. */
function witnessKeyId(pem: string): string {
  for (const algorithm of ['sm2', 'ed25519'] as const) {
    try {
      return keyIdOf(algorithm, pem);
    } catch {
      // try the next algorithm
    }
  }
  return '';
}

async function* records(scan: VerifyInput['scan'], batch: number): AsyncGenerator<SupervisionRecord> {
  let after = 0;
  for (;;) {
    const rows = await scan(after, batch);
    if (rows.length === 0) return;
    yield* rows;
    after = rows[rows.length - 1]!.seq;
    if (rows.length < batch) return;
  }
}

/**
 * The stored and the witness's checkpoints with the keys they name; a stored one that cannot be parsed is
 * a problem. `parsed`: the stored texts already parsed, in order (the parallel verifier parses them a
 * slice at a time); default parsed here.
 */
export function collectCheckpoints(input: VerifyInput, problems: Problem[], parsed: readonly (Checkpoint | null)[] = input.checkpointTexts.map((t) => parseCheckpoint(t))): CheckpointToCheck[] {
  const keys = new Map<string, PublicKeyEntry>();
  for (const k of input.storeKeys) keys.set(k.keyId, k);
  // A witness's keys win: the store's key table could have been replaced along with the checkpoints.
  for (const k of input.witness?.keys ?? []) keys.set(k.keyId, k);
  const out: CheckpointToCheck[] = [];
  const stored = new Map<number, Checkpoint>();
  parsed.forEach((cp, i) => {
    if (!cp) {
      problems.push({ kind: 'corruptCheckpoint', message: `Stored checkpoint #${i + 1} cannot be parsed.` });
      return;
    }
    stored.set(cp.id, cp);
    out.push({ cp, source: 'stored', key: keys.get(cp.keyId) });
  });
  for (const cp of input.witness?.checkpoints ?? []) {
    const same = stored.get(cp.id);
    if (same && same.signature === cp.signature && same.keyId === cp.keyId) continue;
    out.push({ cp, source: "witness's", key: keys.get(cp.keyId) });
  }
  return out;
}
