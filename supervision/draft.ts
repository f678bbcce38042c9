/**
 * Turns what a caller hands the store into a record draft: identifiers pseudonymised, arguments
 * digested and redacted, sizes checked. All of it happens before any lock is taken or byte written,
 * so a bad or too-large record is refused without touching the log.
 */
import { badInput } from '../core/errors.ts';
import { canonicalJson } from './canonical.ts';
import { digestHex, type HashAlgorithm } from './hashing.ts';
import { pseudonymOf, type Pseudonym } from './pseudonym.ts';
import type { RecordActor, RecordDraft, RecordSubject, SupervisionRecord } from './record.ts';
import { DEFAULT_SENSITIVE_KEYS, redactArgs } from './redact.ts';
import type { AccessInput, ActorInput, IntentInput, OutcomeInput, SubjectInput } from './store.ts';

/** What drafting needs from the store's configuration. */
export interface DraftOptions {
  /** The store's hash algorithm (also the HMAC algorithm). */
  hash: HashAlgorithm;
  /** Secret key of subject and actor HMACs. */
  subjectKey: string;
  /** Largest canonical JSON of a record's arguments, in bytes. */
  maxArgsBytes: number;
}

/** Longest accepted text field (department, field, codes, ids), in characters. */
export const MAX_TEXT_LENGTH = 256;
const DEPARTMENT = /^[a-z][a-zA-Z0-9_-]{0,63}$/;

/** Drafts an intent (outcome `PENDING`, or `DENIED` for a refused attempt). */
export function draftIntent(input: IntentInput, outcome: 'PENDING' | 'DENIED', errorCode: string | null, o: DraftOptions): RecordDraft {
  const { argsDigest, args } = digestAndRedact(input.args ?? {}, input.sensitiveKeys, o);
  return {
    department: department(input.department),
    kind: 'intent',
    intentSeq: null,
    actor: actor(input.actor, o),
    operation: text(input.operation, 'operation'),
    field: required(input.field, 'field'),
    powerItem: text(input.powerItem, 'powerItem'),
    subject: subject(input.subject, o),
    caseNumber: text(input.caseNumber, 'caseNumber'),
    argsDigest,
    args,
    outcome,
    errorCode: text(errorCode, 'errorCode'),
    requestId: text(input.requestId, 'requestId'),
  };
}

/** Drafts the outcome of `intent`, copying what an auditor filters on so both records are found together. */
export function draftOutcome(intent: SupervisionRecord, input: OutcomeInput): RecordDraft {
  if (!['SUCCESS', 'ERROR', 'DENIED', 'OUTCOME_UNKNOWN'].includes(input.outcome)) {
    throw badInput(`An outcome must be SUCCESS, ERROR, DENIED or OUTCOME_UNKNOWN, not ${String(input.outcome)}.`, 'supervision.outcome');
  }
  return {
    department: intent.department,
    kind: 'outcome',
    intentSeq: intent.seq,
    actor: intent.actor,
    operation: intent.operation,
    field: intent.field,
    powerItem: intent.powerItem,
    subject: intent.subject,
    caseNumber: text(input.caseNumber, 'caseNumber') ?? intent.caseNumber,
    argsDigest: intent.argsDigest,
    args: null,
    outcome: input.outcome,
    errorCode: text(input.errorCode, 'errorCode'),
    requestId: intent.requestId,
  };
}

/** Drafts an access record. */
export function draftAccess(input: AccessInput, o: DraftOptions): RecordDraft {
  const outcome = input.outcome ?? 'SUCCESS';
  if (outcome !== 'SUCCESS' && outcome !== 'DENIED') throw badInput('An access outcome must be SUCCESS or DENIED.', 'supervision.outcome');
  const { argsDigest, args } = digestAndRedact(input.args ?? {}, input.sensitiveKeys, o);
  return {
    department: department(input.department ?? 'supervision'),
    kind: 'access',
    intentSeq: null,
    actor: actor(input.actor, o),
    operation: text(input.operation, 'operation'),
    field: required(input.field, 'field'),
    powerItem: null,
    subject: subject(input.subject, o),
    caseNumber: null,
    argsDigest,
    args,
    outcome,
    errorCode: text(input.errorCode, 'errorCode') ?? (outcome === 'DENIED' ? 'FORBIDDEN' : null),
    requestId: text(input.requestId, 'requestId'),
  };
}

function digestAndRedact(raw: unknown, keys: readonly string[] | undefined, o: DraftOptions): { argsDigest: string; args: unknown } {
  let json: string;
  try {
    json = canonicalJson(raw);
  } catch (e) {
    throw badInput(`The arguments cannot be recorded: ${(e as Error).message}.`, 'supervision.args');
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  // Refused before any write: a record the store would truncate is no evidence at all.
  if (bytes > o.maxArgsBytes) {
    throw badInput(`The arguments are too large to record (${bytes} bytes; the limit is ${o.maxArgsBytes}).`, 'supervision.recordSize', {
      bytes,
      limit: o.maxArgsBytes,
    });
  }
  // The same small arguments come again and again (a staff list of 100 people: 100 access records of
  // `{ fields, purpose }` alike), so their digest and redaction are remembered by their canonical text.
  if (json.length > MEMO_ARGS_MAX) return { argsDigest: digestHex(o.hash, json), args: redactArgs(raw, keys ?? DEFAULT_SENSITIVE_KEYS) };
  let memo = argsMemo.get(o);
  if (!memo) argsMemo.set(o, (memo = new Map()));
  const key = keys ? `${json}\u0000${keys.join('\u0000')}` : json;
  let known = memo.get(key);
  if (!known) {
    if (memo.size >= ARGS_MEMO_SIZE) memo.clear();
    known = { argsDigest: digestHex(o.hash, json), args: deepFreeze(redactArgs(raw, keys ?? DEFAULT_SENSITIVE_KEYS)) };
    memo.set(key, known);
  }
  return known;
}

/** Arguments up to this many characters of canonical JSON are remembered (see digestAndRedact). */
const MEMO_ARGS_MAX = 512;
const ARGS_MEMO_SIZE = 256;
const argsMemo = new WeakMap<DraftOptions, Map<string, { argsDigest: string; args: unknown }>>();

/** Shared by every record drafted from the same arguments, so no one may change it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function actor(a: ActorInput, o: DraftOptions): RecordActor {
  if (!a || typeof a !== 'object') throw badInput('A record needs an actor.', 'supervision.actor');
  return {
    role: required(a.role, 'actor.role'),
    department: text(a.department, 'actor.department'),
    client: text(a.client, 'actor.client'),
    sub: a.sub ? actorPseudonym(required(a.sub, 'actor.sub'), o) : null,
    onBehalfOf: a.onBehalfOf ? actorPseudonym(required(a.onBehalfOf, 'actor.onBehalfOf'), o) : null,
  };
}

// The same reader signs every record of a request (a staff list of 100 people: 100 records), and the
// same people are read again and again (a dashboard), so pseudonyms (an HMAC each) are remembered per
// store key; bounded, and emptied when full.
const actorMemo = new WeakMap<DraftOptions, Map<string, Pseudonym>>();
const subjectMemo = new WeakMap<DraftOptions, Map<string, Pseudonym>>();
const ACTOR_MEMO_SIZE = 1024;
const SUBJECT_MEMO_SIZE = 10_000;

function actorPseudonym(id: string, o: DraftOptions): Pseudonym {
  return remembered(actorMemo, ACTOR_MEMO_SIZE, id, o);
}

function remembered(memos: WeakMap<DraftOptions, Map<string, Pseudonym>>, size: number, id: string, o: DraftOptions): Pseudonym {
  let memo = memos.get(o);
  if (!memo) memos.set(o, (memo = new Map()));
  let p = memo.get(id);
  if (!p) {
    if (memo.size >= size) memo.clear();
    p = pseudonymOf(id, o.subjectKey, o.hash);
    memo.set(id, p);
  }
  return p;
}

function subject(s: SubjectInput | null | undefined, o: DraftOptions): RecordSubject | null {
  if (!s) return null;
  if (s.kind !== 'citizen' && s.kind !== 'enterprise') throw badInput('A subject is a citizen or an enterprise.', 'supervision.subject');
  return { kind: s.kind, ...remembered(subjectMemo, SUBJECT_MEMO_SIZE, required(s.id, 'subject.id'), o) };
}

function department(value: string): string {
  if (typeof value !== 'string' || !DEPARTMENT.test(value)) {
    throw badInput(`A department is a lower-camel name of up to 64 characters, not ${JSON.stringify(value)}.`, 'supervision.department');
  }
  return value;
}

function required(value: string | null | undefined, name: string): string {
  const v = text(value, name);
  if (!v) throw badInput(`A record needs ${name}.`, 'supervision.required', { field: name });
  return v;
}

function text(value: string | null | undefined, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badInput(`${name} must be a string.`, 'supervision.type', { field: name });
  if (value.length > MAX_TEXT_LENGTH) {
    throw badInput(`${name} is longer than ${MAX_TEXT_LENGTH} characters.`, 'supervision.recordSize', { field: name });
  }
  return value;
}
