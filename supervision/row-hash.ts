/**
 * The hash input of a stored record straight from its row (values in `RECORD_COLUMNS` order), without
 * building the record object: the parallel verifier's workers hash a million rows this way. The text is
 * the one `storedRecordHash(recordFromArray(row))` hashes, byte for byte: every column goes through the
 * same conversion `recordFromArray` applies (String/Number, null kept), then the same writer.
 * row-hash.test.ts checks the equality, odd rows included.
 */
import { canonicalJson } from './canonical.ts';
import { RECORD_COLUMNS } from './columns.ts';

const at = (c: (typeof RECORD_COLUMNS)[number]): number => RECORD_COLUMNS.indexOf(c);
/** Column positions the verifier's workers read directly. */
export const COL = {
  seq: at('seq'), deptSeq: at('dept_seq'), time: at('time'), department: at('department'), kind: at('kind'), intentSeq: at('intent_seq'),
  role: at('actor_role'), actorDepartment: at('actor_department'), client: at('actor_client'), subHmac: at('actor_sub_hmac'),
  subMasked: at('actor_sub_masked'), oboHmac: at('actor_obo_hmac'), oboMasked: at('actor_obo_masked'), operation: at('operation'),
  field: at('field'), powerItem: at('power_item'), subjectKind: at('subject_kind'), subjectHmac: at('subject_hmac'),
  subjectMasked: at('subject_masked'), caseNumber: at('case_number'), argsDigest: at('args_digest'), args: at('args'),
  outcome: at('outcome'), errorCode: at('error_code'), requestId: at('request_id'), prevHash: at('prev_hash'), hash: at('hash'),
} as const;

/** A text column as `recordFromArray` reads it: null stays null, anything else becomes a string. */
export const textOf = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v));
/** An integer column as `recordFromArray` reads it (PostgreSQL's BIGINT arrives as a string). */
export const numberOf = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));

const q = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
// canonicalJson refuses NaN and Infinity (a mangled integer column): the caller treats the throw as a failed check.
const int = (v: number | null): string => (v === null ? 'null' : canonicalJson(v));
const pseudo = (hmac: string | null, masked: string | null): string =>
  hmac === null && masked === null ? 'null' : `{"hmac":${q(hmac ?? '')},"masked":${q(masked ?? '')}}`;

/** The args column as the record holds it: parsed (a mangled text becomes `{ unparsableArgs }`, as columns.ts does), then canonical. */
function argsText(text: string | null): string {
  if (text === null) return 'null';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = { unparsableArgs: text };
  }
  return canonicalJson(value);
}

/** A finite number, as canonicalJson demands (it refuses NaN and Infinity). */
const finite = (v: number | null): number | null => {
  if (v !== null && !Number.isFinite(v)) throw new TypeError('not a finite number');
  return v;
};
const pseudoObject = (hmac: string | null, masked: string | null) => (hmac === null && masked === null ? null : { hmac: hmac ?? '', masked: masked ?? '' });

/** True when JSON.stringify writes `v` exactly as canonicalJson does: every object's keys already in sorted order, numbers finite, not too deep. */
function stringifiesCanonically(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'number' || Number.isFinite(v);
  if (depth > 48) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!stringifiesCanonically(x, depth + 1)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const k of Object.keys(v)) {
    if (previous !== undefined && !(previous < k)) return false;
    previous = k;
    if (!stringifiesCanonically((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/**
 * The canonical JSON a stored row's record hash is computed over (throws where `storedRecordHash` would).
 * Usually one JSON.stringify of an object whose keys are inserted in sorted order, which writes the same
 * bytes as canonicalJson at half the cost; args whose keys are not in order take the field-by-field writer.
 */
export function rowHashInput(v: readonly unknown[]): string {
  const a = textOf(v[COL.args]);
  let args: unknown = null;
  if (a !== null) {
    try {
      args = JSON.parse(a);
    } catch {
      return rowHashInputByParts(v);
    }
    if (!stringifiesCanonically(args, 0)) return rowHashInputByParts(v);
  }
  const t = (i: number) => textOf(v[i]);
  const subjectKind = t(COL.subjectKind);
  return JSON.stringify({
    actor: {
      client: t(COL.client), department: t(COL.actorDepartment), onBehalfOf: pseudoObject(t(COL.oboHmac), t(COL.oboMasked)),
      role: t(COL.role) ?? '', sub: pseudoObject(t(COL.subHmac), t(COL.subMasked)),
    },
    args,
    argsDigest: t(COL.argsDigest), caseNumber: t(COL.caseNumber), department: t(COL.department) ?? '', deptSeq: finite(numberOf(v[COL.deptSeq]) ?? 0),
    errorCode: t(COL.errorCode), field: t(COL.field) ?? '', intentSeq: finite(numberOf(v[COL.intentSeq])), kind: t(COL.kind), operation: t(COL.operation),
    outcome: t(COL.outcome), powerItem: t(COL.powerItem), prevHash: t(COL.prevHash) ?? '', requestId: t(COL.requestId), seq: finite(numberOf(v[COL.seq]) ?? 0),
    subject: subjectKind === null ? null : { hmac: t(COL.subjectHmac) ?? '', kind: subjectKind, masked: t(COL.subjectMasked) ?? '' },
    time: t(COL.time) ?? '',
  });
}

/** The same text written field by field (any args). */
export function rowHashInputByParts(v: readonly unknown[]): string {
  const t = (i: number) => textOf(v[i]);
  const subjectKind = t(COL.subjectKind);
  return (
    `{"actor":{"client":${q(t(COL.client))},"department":${q(t(COL.actorDepartment))},"onBehalfOf":${pseudo(t(COL.oboHmac), t(COL.oboMasked))}` +
    `,"role":${q(t(COL.role) ?? '')},"sub":${pseudo(t(COL.subHmac), t(COL.subMasked))}}` +
    `,"args":${argsText(t(COL.args))},"argsDigest":${q(t(COL.argsDigest))},"caseNumber":${q(t(COL.caseNumber))},"department":${q(t(COL.department) ?? '')}` +
    `,"deptSeq":${int(numberOf(v[COL.deptSeq]) ?? 0)},"errorCode":${q(t(COL.errorCode))},"field":${q(t(COL.field) ?? '')},"intentSeq":${int(numberOf(v[COL.intentSeq]))}` +
    `,"kind":${q(t(COL.kind))},"operation":${q(t(COL.operation))},"outcome":${q(t(COL.outcome))},"powerItem":${q(t(COL.powerItem))}` +
    `,"prevHash":${q(t(COL.prevHash) ?? '')},"requestId":${q(t(COL.requestId))},"seq":${int(numberOf(v[COL.seq]) ?? 0)}` +
    `,"subject":${subjectKind === null ? 'null' : `{"hmac":${q(t(COL.subjectHmac) ?? '')},"kind":${q(subjectKind)},"masked":${q(t(COL.subjectMasked) ?? '')}}`}` +
    `,"time":${q(t(COL.time) ?? '')}}`
  );
}
