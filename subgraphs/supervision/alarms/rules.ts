/**
 * The alarm rules, as pure functions of records, cases and matters: each returns what it found (with a
 * unique key, so the same finding is always the same alarm) or nothing. The engine feeds them.
 */
import { certificateTypeOf } from '../../../adapters/licenceLibrary/materials.ts';
import type { CaseRecord, MatterRecord } from '../../../adapters/serviceHall/index.ts';
import { chinaDay, computeDeadline, workingDaysBetween, type DeadlineState, type Pause } from '../../../core/calendar/index.ts';
import type { AlarmDraft } from '../../../supervision/alarms-store.ts';
import type { SupervisionRecord } from '../../../supervision/index.ts';

/** Error codes of a document use that mean the material itself is at risk (要件虚假). */
export const MATERIAL_RISK_CODES: Readonly<Record<string, string>> = {
  DOCUMENT_EXPIRED: 'MATERIAL_EXPIRED',
  DOCUMENT_REVOKED: 'MATERIAL_REVOKED',
  DOCUMENT_TAMPERED: 'MATERIAL_TAMPERED',
  DOCUMENT_NOT_HOLDER: 'MATERIAL_NOT_HOLDER',
};
const MATERIAL_WORDS: Readonly<Record<string, string>> = {
  DOCUMENT_EXPIRED: 'is past its validity',
  DOCUMENT_REVOKED: 'was revoked by its issuer',
  DOCUMENT_TAMPERED: "does not match its issuer's hash or signature",
  DOCUMENT_NOT_HOLDER: "is not the applicant's: it was used for a case of someone who does not hold it",
};
/** Staff steps of a case (the services chain's fields). */
export const STAFF_STEPS: readonly string[] = [
  'Mutation.acceptApplication', 'Mutation.requestSupplement', 'Mutation.approveApplication', 'Mutation.rejectApplication', 'Mutation.completeApplication',
];
/** The use of a document on a case (documents chain). */
export const USE_DOCUMENT = 'Mutation.useDocument';
/** Everything staff do on a case: its steps, and using a document for it. */
export const CASE_ACTS: readonly string[] = [...STAFF_STEPS, USE_DOCUMENT];
/** A staff approval (services chain). */
export const APPROVE = 'Mutation.approveApplication';
const DECIDED = new Set(['APPROVED', 'REJECTED', 'COMPLETED', 'NOT_ACCEPTED']);

const seqs = (...records: Array<SupervisionRecord | number | null | undefined>): number[] =>
  [...new Set(records.map((r) => (typeof r === 'number' ? r : r?.seq)).filter((s): s is number => typeof s === 'number'))].sort((a, b) => a - b);

/** OUTCOME_UNKNOWN: an outcome record that marks an intent left open by a crash. */
export function outcomeUnknown(r: SupervisionRecord): AlarmDraft | null {
  if (r.kind !== 'outcome' || r.outcome !== 'OUTCOME_UNKNOWN') return null;
  return {
    key: `OUTCOME_UNKNOWN:${r.intentSeq}`, kind: 'OUTCOME_UNKNOWN', rule: 'OUTCOME_UNKNOWN', severity: 'CRITICAL', department: r.department, caseNumber: r.caseNumber,
    reason: `${r.field} (intent ${r.intentSeq}) was interrupted by a crash: whether the change was made is unknown; check with ${r.department}.`,
    evidence: seqs(r.intentSeq, r),
  };
}

/** MATERIAL_RISK: a document use that failed because the document is expired, revoked, tampered with or someone else's. */
export function materialRisk(outcome: SupervisionRecord, intent: SupervisionRecord | null): AlarmDraft | null {
  if (outcome.kind !== 'outcome' || outcome.field !== USE_DOCUMENT || outcome.outcome !== 'ERROR') return null;
  const rule = MATERIAL_RISK_CODES[outcome.errorCode ?? ''];
  if (!rule) return null;
  const args = (intent?.args ?? {}) as Record<string, unknown>;
  const what = [args.certificateType, args.documentId].filter((v) => typeof v === 'string').join(' ') || 'a document';
  return {
    key: `${rule}:${outcome.intentSeq}`, kind: 'MATERIAL_RISK', rule, severity: 'CRITICAL', department: outcome.actor.department ?? outcome.department, caseNumber: outcome.caseNumber,
    reason: `Document ${what} ${MATERIAL_WORDS[outcome.errorCode!]} (case ${outcome.caseNumber ?? 'unknown'}).`,
    evidence: seqs(outcome.intentSeq, outcome),
  };
}

/** RULE: staff of another department acting (or trying to act) on a case, a step or a document use. `r` is an outcome, or an intent born DENIED. */
export function otherDepartment(r: SupervisionRecord, c: CaseRecord): AlarmDraft | null {
  const closed = r.kind === 'outcome' || (r.kind === 'intent' && r.outcome === 'DENIED');
  if (!closed || !CASE_ACTS.includes(r.field) || r.actor.role !== 'staff' || r.actor.department === c.department) return null;
  const intent = r.kind === 'outcome' ? r.intentSeq : r.seq;
  return {
    key: `RULE_OTHER_DEPARTMENT:${intent}`, kind: 'RULE', rule: 'RULE_OTHER_DEPARTMENT', severity: r.outcome === 'SUCCESS' ? 'CRITICAL' : 'WARNING', department: c.department, caseNumber: c.caseNumber,
    reason: `Staff of ${r.actor.department ?? 'no department'} ${r.outcome === 'SUCCESS' ? 'performed' : 'attempted'} ${r.field.replace('Mutation.', '')} on case ${c.caseNumber} of ${c.department} (${r.outcome}).`,
    evidence: seqs(intent, r),
  };
}

/** What the approval rules look at. */
export interface ApprovalFacts {
  /** The SUCCESS outcome of `approveApplication`. */
  approval: SupervisionRecord;
  /** Every record carrying the case number (any chain), in seq order. */
  caseRecords: SupervisionRecord[];
  /** The case as the hall has it now. */
  c: CaseRecord;
  matter: MatterRecord;
  /** HMAC pseudonym of the applicant. */
  applicantHmac: string;
  /** HMAC pseudonyms of the applicant's household members other than the applicant. */
  relativeHmacs: readonly string[];
}

/** RULE: self or relative approval, approval without a required document, approval faster than the minimum review time. */
export function approvalRules(f: ApprovalFacts): AlarmDraft[] {
  const { approval: a, c, matter } = f;
  const out: AlarmDraft[] = [];
  const base = { kind: 'RULE' as const, department: c.department, caseNumber: c.caseNumber };
  const filed = f.caseRecords.find((r) => r.field === 'Mutation.submitApplication' && r.kind === 'outcome' && r.outcome === 'SUCCESS');
  const approver = a.actor.sub?.hmac;
  if (approver && approver === f.applicantHmac) {
    out.push({ ...base, key: `RULE_SELF_APPROVAL:${c.caseNumber}`, rule: 'RULE_SELF_APPROVAL', severity: 'CRITICAL', reason: `Case ${c.caseNumber} was approved by its own applicant.`, evidence: seqs(filed, a.intentSeq, a) });
  } else if (approver && f.relativeHmacs.includes(approver)) {
    out.push({ ...base, key: `RULE_RELATIVE_APPROVAL:${c.caseNumber}`, rule: 'RULE_RELATIVE_APPROVAL', severity: 'CRITICAL', reason: `Case ${c.caseNumber} was approved by a member of the applicant's household.`, evidence: seqs(filed, a.intentSeq, a) });
  }
  // Every required material that is a certificate needs a successful use of one of its type on this case
  // before the approval; a zero-material matter's too (fetched from its issuer). Other materials (forms,
  // contracts) are files, not certificates: nothing can check them here.
  const byIntent = new Map(f.caseRecords.filter((r) => r.kind === 'intent').map((r) => [r.seq, r]));
  const used = new Map<string, SupervisionRecord[]>();
  for (const r of f.caseRecords) {
    if (r.field !== USE_DOCUMENT || r.kind !== 'outcome' || r.outcome !== 'SUCCESS' || r.seq > a.seq) continue;
    const intent = byIntent.get(r.intentSeq ?? -1);
    const type = (intent?.args as Record<string, unknown> | null)?.certificateType;
    if (typeof type === 'string') used.set(type, [...(used.get(type) ?? []), intent!, r]);
  }
  const missing = matter.documents.filter((d) => {
    const type = certificateTypeOf(d.code);
    return d.required && type !== null && !used.has(type);
  });
  if (missing.length > 0) {
    out.push({
      ...base, key: `RULE_MISSING_DOCUMENT:${c.caseNumber}`, rule: 'RULE_MISSING_DOCUMENT', severity: 'CRITICAL',
      reason: `Case ${c.caseNumber} was approved without a successful check of ${missing.map((d) => `${d.code} (${d.name})`).join(', ')}.`,
      evidence: seqs(filed, a.intentSeq, a, ...[...used.values()].flat()),
    });
  }
  const accepted = c.history.find((s) => s.stage === 'ACCEPTED');
  const approved = c.history.find((s) => s.stage === 'APPROVED');
  if (accepted && approved && matter.minimumReviewWorkingDays > 0) {
    const days = workingDaysBetween(accepted.day, approved.day);
    if (days < matter.minimumReviewWorkingDays) {
      const acceptRecord = f.caseRecords.find((r) => r.field === 'Mutation.acceptApplication' && r.kind === 'outcome' && r.outcome === 'SUCCESS');
      out.push({
        ...base, key: `RULE_TOO_FAST:${c.caseNumber}`, rule: 'RULE_TOO_FAST', severity: 'WARNING',
        reason: `Case ${c.caseNumber} was approved ${days} working day(s) after acceptance; matter ${matter.code} needs at least ${matter.minimumReviewWorkingDays}.`,
        evidence: seqs(acceptRecord, a.intentSeq, a),
      });
    }
  }
  return out;
}

/** RULE: the `count`-th approval by one person within `windowMs` (raised once at the approval that reaches it). */
export function approvalBurst(a: SupervisionRecord, sameApproverInWindow: readonly SupervisionRecord[], limits: { count: number; windowMs: number }): AlarmDraft | null {
  const hmac = a.actor.sub?.hmac;
  if (!hmac || sameApproverInWindow.length !== limits.count) return null;
  return {
    key: `RULE_APPROVAL_BURST:${hmac}:${a.seq}`, kind: 'RULE', rule: 'RULE_APPROVAL_BURST', severity: 'WARNING', department: a.actor.department, caseNumber: a.caseNumber,
    reason: `${limits.count} approvals by one person (${a.actor.sub!.masked}) within ${Math.round(limits.windowMs / 60_000)} minute(s).`,
    evidence: seqs(...sameApproverInWindow),
  };
}

/** The deadline state of a case on `now`'s China day (null before acceptance); throws CALENDAR_OUT_OF_RANGE off the calendar. */
export function deadlineState(c: CaseRecord, now: Date): DeadlineState | null {
  if (!c.acceptedAt) return null;
  const pauses: Pause[] = [];
  for (const s of c.history) {
    if (s.stage === 'SUPPLEMENT_REQUESTED') pauses.push({ from: s.day, to: null });
    if (s.stage === 'SUPPLEMENT_RECEIVED' && pauses.length > 0 && pauses[pauses.length - 1]!.to === null) pauses[pauses.length - 1]!.to = s.day;
  }
  const decided = c.history.find((s) => s.stage === 'APPROVED' || s.stage === 'REJECTED');
  return computeDeadline({ workingDays: c.promisedWorkingDays, acceptedOn: chinaDay(new Date(c.acceptedAt)), pauses, endedOn: decided?.day ?? null, today: chinaDay(now) });
}

/** TIMEOUT: a case past its deadline (CRITICAL), or running and within `warnDays` working days of it (WARNING). */
export function timeouts(c: CaseRecord, state: DeadlineState | null, evidence: number[], warnDays: number): AlarmDraft[] {
  if (!state) return [];
  const base = { kind: 'TIMEOUT' as const, department: c.department, caseNumber: c.caseNumber, evidence: [...evidence].sort((x, y) => x - y) };
  if (state.overdue) {
    return [{ ...base, key: `TIMEOUT_OVERDUE:${c.caseNumber}`, rule: 'TIMEOUT_OVERDUE', severity: 'CRITICAL', reason: `Case ${c.caseNumber} is ${-state.remainingWorkingDays} working day(s) past its promised ${c.promisedWorkingDays}.` }];
  }
  if (!DECIDED.has(c.state) && !state.paused && state.remainingWorkingDays <= warnDays) {
    return [{ ...base, key: `TIMEOUT_WARNING:${c.caseNumber}`, rule: 'TIMEOUT_WARNING', severity: 'WARNING', reason: `Case ${c.caseNumber} has ${state.remainingWorkingDays} working day(s) left (deadline ${state.deadline}).` }];
  }
  return [];
}

/** True when a case is decided: its deadline no longer moves. */
export function isDecided(c: CaseRecord): boolean {
  return DECIDED.has(c.state);
}
