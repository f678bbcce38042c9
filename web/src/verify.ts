/**
 * The browser's own check of a record's proof: it recomputes the record hash (SM3 with sm-crypto-v2,
 * or SHA-256 with WebCrypto), the leaf hash and the RFC 9162 root from the audit path, and compares
 * each with what the server claims, so the page does not just trust the server. Every step says which
 * hash it expected and which it computed, so a failure names the hash that differs.
 */
import { sm3 } from 'sm-crypto-v2';
import { canonicalJson } from '../../supervision/canonical.ts';

/** One comparison of the check. */
export interface VerifyStep {
  /** What was compared, e.g. "record hash". */
  name: string;
  ok: boolean;
  /** The value the server gave (or the checkpoint signed). */
  claimed: string;
  /** The value this page computed. */
  computed: string;
}

/** The outcome: ok only when every step holds. */
export interface VerifyResult {
  ok: boolean;
  steps: VerifyStep[];
  /** Why there is nothing to verify yet (no checkpoint covers the record). */
  pending?: string;
}

type Json = Record<string, any>;

const hexToBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};
const bytesToHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Hex digest of bytes with the store's algorithm. */
async function digest(algorithm: string, data: Uint8Array): Promise<string> {
  if (algorithm === 'sha256') return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
  return sm3(data);
}

/** The record as it was hashed: the graph's shape (kind in capitals, args as JSON text) turned back. */
export function recordAsHashed(g: Json): Json {
  const pseudo = (p: Json | null | undefined) => (p ? { hmac: p.hmac, masked: p.masked } : null);
  return {
    seq: g.seq, deptSeq: g.deptSeq, time: g.time, department: g.department, kind: String(g.kind).toLowerCase(), intentSeq: g.intentSeq ?? null,
    actor: { role: g.actor?.role, department: g.actor?.department ?? null, client: g.actor?.client ?? null, sub: pseudo(g.actor?.sub), onBehalfOf: pseudo(g.actor?.onBehalfOf) },
    operation: g.operation ?? null, field: g.field, powerItem: g.powerItem ?? null,
    subject: g.subject ? { kind: g.subject.kind, hmac: g.subject.hmac, masked: g.subject.masked } : null,
    caseNumber: g.caseNumber ?? null, argsDigest: g.argsDigest ?? null, args: typeof g.args === 'string' ? JSON.parse(g.args) : (g.args ?? null),
    outcome: g.outcome, errorCode: g.errorCode ?? null, requestId: g.requestId ?? null, prevHash: g.prevHash,
  };
}

/** The record's hash recomputed: over the canonical JSON of every field but `hash`, as UTF-8. */
export async function recomputeRecordHash(algorithm: string, record: Json): Promise<string> {
  return digest(algorithm, new TextEncoder().encode(canonicalJson(recordAsHashed(record))));
}

/** RFC 9162 §2.1.3.2: the root the audit path leads to from `leaf` at `index` of a tree of `size`, or null when the path has the wrong shape. */
export async function rootFromAuditPath(algorithm: string, index: number, size: number, leaf: string, path: readonly string[]): Promise<string | null> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = hexToBytes(leaf);
  const node = async (a: Uint8Array, b: Uint8Array) => hexToBytes(await digest(algorithm, concat(Uint8Array.of(1), a, b)));
  for (const hex of path) {
    const p = hexToBytes(hex);
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? bytesToHex(r) : null;
}

/** Checks a `supervisionRecord` answer in the browser: record hash, chain link, leaf, audit path, signed root. */
export async function verifyRecordProof(answer: Json): Promise<VerifyResult> {
  const record = answer?.record;
  if (!record) return { ok: false, steps: [{ name: 'record', ok: false, claimed: 'a record', computed: 'none in the answer' }] };
  const algorithm = answer.checkpoint?.hashAlgorithm ?? 'sm3';
  const steps: VerifyStep[] = [];
  const step = (name: string, claimed: string, computed: string) => steps.push({ name, ok: claimed === computed, claimed, computed });
  let recomputed: string;
  try {
    recomputed = await recomputeRecordHash(algorithm, record);
  } catch {
    recomputed = 'unreadable record (args is not JSON)';
  }
  step('record hash', record.hash, recomputed);
  step('link to the previous record (prevHash)', answer.previousHash ?? '', record.prevHash);
  const inc = answer.inclusion;
  if (!inc) return { ok: steps.every((s) => s.ok), steps, pending: answer.pending ?? 'No checkpoint covers this record yet.' };
  // The leaf is checked against the hash the record claims: a record altered shows in the step above.
  step('leaf hash H(0x00 ‖ record hash)', inc.leafHash, await digest(algorithm, concat(Uint8Array.of(0), hexToBytes(record.hash))));
  step('leaf index (deptSeq − 1)', String(inc.leafIndex), String(record.deptSeq - 1));
  const root = await rootFromAuditPath(algorithm, inc.leafIndex, inc.treeSize, inc.leafHash, inc.auditPath ?? []);
  step(`Merkle root from the ${inc.auditPath?.length ?? 0}-hash audit path`, inc.root, root ?? 'the path does not fit the tree');
  const head = (answer.checkpoint?.heads ?? []).find((h: Json) => h.department === record.department);
  step(`root checkpoint ${answer.checkpoint?.id ?? '?'} signed for ${record.department} at ${inc.treeSize} records`, head && head.deptSeq === inc.treeSize ? String(head.root) : 'no such head', inc.root);
  return { ok: steps.every((s) => s.ok), steps };
}
