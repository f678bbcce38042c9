/** Each alarm rule on synthetic records, cases and matters: what it raises, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import type { CaseRecord, MatterRecord } from '../../../../adapters/serviceHall/index.ts';
import type { SupervisionRecord } from '../../../../supervision/index.ts';
import { approvalBurst, approvalRules, deadlineState, materialRisk, otherDepartment, outcomeUnknown, timeouts, type ApprovalFacts } from '../rules.ts';

let seq = 0;
/** A record with defaults; `over` sets what a test is about. */
function rec(over: Partial<SupervisionRecord>): SupervisionRecord {
  seq++;
  return {
    seq, deptSeq: seq, time: '2026-10-12T02:00:00.000Z', department: 'services', kind: 'outcome', intentSeq: seq - 1,
    actor: { role: 'staff', department: 'population', client: null, sub: { hmac: 'h-clerk', masked: 'staf*****0201' }, onBehalfOf: null },
    operation: null, field: 'Mutation.approveApplication', powerItem: 'ZW-SP-05', subject: null, caseNumber: 'C1', argsDigest: 'd', args: null,
    outcome: 'SUCCESS', errorCode: null, requestId: 'r', prevHash: 'p', hash: 'h', ...over,
  };
}
const matter = (over: Partial<MatterRecord> = {}): MatterRecord => ({
  code: 'GA0107', name: '户口项目变更更正', department: 'population', departmentName: '沈阳市公安局', kind: '行政确认', legalWorkingDays: 20,
  promisedWorkingDays: 10, minimumReviewWorkingDays: 0, zeroMaterial: false, documents: [], ...over,
});
const step = (stage: string, day: string) => ({ stage, at: `${day}T01:00:00.000Z`, day, actor: { role: 'staff', post: null, department: 'population' }, note: null, part: null }) as CaseRecord['history'][number];
const aCase = (over: Partial<CaseRecord> = {}): CaseRecord => ({
  caseNumber: 'C1', matterCode: 'GA0107', department: 'population', applicant: { kind: 'citizen', id: '210102198503152318' }, state: 'APPROVED',
  submittedAt: '2026-10-12T01:00:00.000Z', acceptedAt: '2026-10-12T01:00:00.000Z', endedAt: null, promisedWorkingDays: 10, documents: [],
  history: [step('SUBMITTED', '2026-10-12'), step('ACCEPTED', '2026-10-12'), step('APPROVED', '2026-10-12')], ...over,
});
const facts = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => {
  const approval = rec({});
  return { approval, caseRecords: [approval], c: aCase(), matter: matter(), applicantHmac: 'h-applicant', relativeHmacs: ['h-wife'], ...over };
};
const rules = (f: ApprovalFacts) => approvalRules(f).map((a) => a.rule);

describe('OUTCOME_UNKNOWN', () => {
  it('raises on an outcome marked OUTCOME_UNKNOWN, with the intent and the outcome as evidence, keyed by the intent', () => {
    const r = rec({ seq: 1000, outcome: 'OUTCOME_UNKNOWN', errorCode: 'OUTCOME_UNKNOWN', intentSeq: 7, field: 'Mutation.updateContactPhone', department: 'population', caseNumber: null });
    expect(outcomeUnknown(r)).toMatchObject({ key: 'OUTCOME_UNKNOWN:7', kind: 'OUTCOME_UNKNOWN', severity: 'CRITICAL', department: 'population', evidence: [7, 1000] });
  });
  it('leaves successes, errors and intents alone', () => {
    expect(outcomeUnknown(rec({}))).toBeNull();
    expect(outcomeUnknown(rec({ outcome: 'ERROR', errorCode: 'ADAPTER_TIMEOUT' }))).toBeNull();
    expect(outcomeUnknown(rec({ kind: 'intent', outcome: 'PENDING' }))).toBeNull();
  });
});

describe('MATERIAL_RISK', () => {
  const intent = rec({ kind: 'intent', intentSeq: null, department: 'documents', field: 'Mutation.useDocument', outcome: 'PENDING', args: { documentId: 'DZZZ-SFZ-0009', certificateType: 'ID_CARD', purpose: '***' } });
  const use = (errorCode: string | null, outcome: SupervisionRecord['outcome'] = 'ERROR') =>
    rec({ department: 'documents', field: 'Mutation.useDocument', powerItem: 'DZ-YZ-01', outcome, errorCode, intentSeq: intent.seq });
  it.each([
    ['DOCUMENT_EXPIRED', 'MATERIAL_EXPIRED'],
    ['DOCUMENT_REVOKED', 'MATERIAL_REVOKED'],
    ['DOCUMENT_TAMPERED', 'MATERIAL_TAMPERED'],
    ['DOCUMENT_NOT_HOLDER', 'MATERIAL_NOT_HOLDER'],
  ])('raises %s as %s, naming the document, with the use as evidence', (code, rule) => {
    const r = use(code);
    const a = materialRisk(r, intent)!;
    expect(a).toMatchObject({ key: `${rule}:${intent.seq}`, kind: 'MATERIAL_RISK', rule, severity: 'CRITICAL', caseNumber: 'C1', evidence: [intent.seq, r.seq] });
    expect(a.reason).toContain('ID_CARD DZZZ-SFZ-0009');
  });
  it('leaves a successful use, an unknown document, a wrong type and a library that is down alone (no risk in the material itself)', () => {
    expect(materialRisk(use(null, 'SUCCESS'), intent)).toBeNull();
    for (const code of ['DOCUMENT_UNKNOWN', 'DOCUMENT_WRONG_TYPE', 'LICENCE_LIBRARY_UNAVAILABLE']) expect(materialRisk(use(code), intent)).toBeNull();
  });
});

describe('RULE: another department', () => {
  it('raises on a refused attempt by staff of another department (WARNING) and on a step they performed (CRITICAL)', () => {
    const denied = rec({ field: 'Mutation.acceptApplication', outcome: 'DENIED', errorCode: 'FORBIDDEN', actor: { ...rec({}).actor, department: 'population' } });
    const c = aCase({ department: 'medicalInsurance' });
    expect(otherDepartment(denied, c)).toMatchObject({ rule: 'RULE_OTHER_DEPARTMENT', severity: 'WARNING', department: 'medicalInsurance', evidence: [denied.intentSeq, denied.seq] });
    const bornDenied = rec({ kind: 'intent', intentSeq: null, field: 'Mutation.approveApplication', outcome: 'DENIED' });
    expect(otherDepartment(bornDenied, c)).toMatchObject({ key: `RULE_OTHER_DEPARTMENT:${bornDenied.seq}`, evidence: [bornDenied.seq] });
    expect(otherDepartment(rec({}), c)).toMatchObject({ severity: 'CRITICAL' });
    const use = rec({ department: 'documents', field: 'Mutation.useDocument', outcome: 'DENIED', errorCode: 'FORBIDDEN' });
    expect(otherDepartment(use, c)).toMatchObject({ rule: 'RULE_OTHER_DEPARTMENT', reason: expect.stringContaining('useDocument') });
  });
  it('leaves the case\'s own department, applicants, and pending intents alone', () => {
    const c = aCase();
    expect(otherDepartment(rec({}), c)).toBeNull();
    expect(otherDepartment(rec({ actor: { ...rec({}).actor, role: 'citizen', department: null } }), c)).toBeNull();
    expect(otherDepartment(rec({ kind: 'intent', outcome: 'PENDING', actor: { ...rec({}).actor, department: 'parking' } }), c)).toBeNull();
  });
});

describe('RULE: approvals', () => {
  it('raises a self-approval when the approver is the applicant', () => {
    const approval = rec({ actor: { ...rec({}).actor, sub: { hmac: 'h-applicant', masked: '2101**********2318' } } });
    expect(rules(facts({ approval, caseRecords: [approval] }))).toEqual(['RULE_SELF_APPROVAL']);
  });
  it('raises a relative approval when the approver is of the applicant\'s household', () => {
    const approval = rec({ actor: { ...rec({}).actor, sub: { hmac: 'h-wife', masked: '2101**********1523' } } });
    expect(rules(facts({ approval, caseRecords: [approval] }))).toEqual(['RULE_RELATIVE_APPROVAL']);
  });
  it('raises nothing for an unrelated approver of a matter without materials or minimum review', () => {
    expect(rules(facts())).toEqual([]);
  });
  it('raises a missing document for each required certificate without a successful use before the approval', () => {
    const m = matter({ documents: [{ code: 'SFZ', name: '居民身份证', required: true }, { code: 'HKB', name: '居民户口簿', required: true }, { code: 'HYZM', name: '婚姻证明', required: false }, { code: 'BGYJ', name: '变更更正依据', required: true }] });
    const useIntent = rec({ kind: 'intent', department: 'documents', field: 'Mutation.useDocument', outcome: 'PENDING', intentSeq: null, args: { certificateType: 'ID_CARD', documentId: 'D1' } });
    const useOk = rec({ department: 'documents', field: 'Mutation.useDocument', intentSeq: useIntent.seq });
    const approval = rec({});
    const found = approvalRules(facts({ matter: m, approval, caseRecords: [useIntent, useOk, approval] }));
    expect(found.map((a) => a.rule)).toEqual(['RULE_MISSING_DOCUMENT']);
    expect(found[0]!.reason).toContain('HKB (居民户口簿)');
    expect(found[0]!.reason).not.toContain('SFZ');
    // A material that is not a certificate (a form, a basis for the change) cannot be checked, so it is not asked for.
    expect(found[0]!.reason).not.toContain('BGYJ');
    // With the household register used too, nothing is missing; a failed use would not have counted.
    const hkbIntent = rec({ kind: 'intent', department: 'documents', field: 'Mutation.useDocument', outcome: 'PENDING', intentSeq: null, args: { certificateType: 'HOUSEHOLD_REGISTER' } });
    const hkbOk = rec({ department: 'documents', field: 'Mutation.useDocument', intentSeq: hkbIntent.seq });
    const late = rec({});
    expect(rules(facts({ matter: m, approval: late, caseRecords: [useIntent, useOk, hkbIntent, hkbOk, late] }))).toEqual([]);
    const hkbFailed = rec({ department: 'documents', field: 'Mutation.useDocument', intentSeq: hkbIntent.seq, outcome: 'ERROR', errorCode: 'DOCUMENT_EXPIRED' });
    const again = rec({});
    expect(rules(facts({ matter: m, approval: again, caseRecords: [useIntent, useOk, hkbIntent, hkbFailed, again] }))).toEqual(['RULE_MISSING_DOCUMENT']);
  });
  it('raises an approval faster than the matter\'s minimum review, counted in working days across a holiday', () => {
    const m = matter({ minimumReviewWorkingDays: 2 });
    // Accepted Wed 30 Sep, approved Thu 8 Oct: one working day (1–7 October are off).
    const fast = aCase({ history: [step('ACCEPTED', '2026-09-30'), step('APPROVED', '2026-10-08')] });
    expect(rules(facts({ matter: m, c: fast }))).toEqual(['RULE_TOO_FAST']);
    const slow = aCase({ history: [step('ACCEPTED', '2026-09-30'), step('APPROVED', '2026-10-09')] });
    expect(rules(facts({ matter: m, c: slow }))).toEqual([]);
  });
  it('raises a burst at the approval that reaches the count within the window, once', () => {
    const approvals = Array.from({ length: 4 }, () => rec({}));
    expect(approvalBurst(approvals[2]!, approvals.slice(0, 3), { count: 3, windowMs: 600_000 })).toMatchObject({ rule: 'RULE_APPROVAL_BURST', evidence: approvals.slice(0, 3).map((a) => a.seq) });
    expect(approvalBurst(approvals[1]!, approvals.slice(0, 2), { count: 3, windowMs: 600_000 })).toBeNull();
    expect(approvalBurst(approvals[3]!, approvals, { count: 3, windowMs: 600_000 })).toBeNull();
  });
});

describe('TIMEOUT', () => {
  // Accepted Tue 29 Sep 2026 with 3 working days: 30 Sep, 8 Oct, 9 Oct; due Fri 9 Oct.
  const running = aCase({ state: 'ACCEPTED', promisedWorkingDays: 3, acceptedAt: '2026-09-29T01:30:00.000Z', history: [step('ACCEPTED', '2026-09-29')] });
  const at = (day: string) => deadlineState(running, new Date(`${day}T02:00:00.000Z`));
  it('warns within N working days of the deadline, across National Day', () => {
    expect(timeouts(running, at('2026-09-30'), [3, 4], 1)).toEqual([]);
    expect(timeouts(running, at('2026-10-08'), [4, 3], 1)).toEqual([expect.objectContaining({ key: 'TIMEOUT_WARNING:C1', severity: 'WARNING', evidence: [3, 4] })]);
  });
  it('raises the overdue alarm (CRITICAL) past the deadline, under its own key so an earlier warning does not hide it', () => {
    expect(timeouts(running, at('2026-10-12'), [3, 4], 1)).toEqual([expect.objectContaining({ key: 'TIMEOUT_OVERDUE:C1', severity: 'CRITICAL' })]);
  });
  it('does not warn a decided or paused case, and raises nothing before acceptance', () => {
    const decided = { ...running, state: 'APPROVED' as const, history: [...running.history, step('APPROVED', '2026-10-08')] };
    expect(timeouts(decided, deadlineState(decided, new Date('2026-10-08T02:00:00.000Z')), [1], 1)).toEqual([]);
    const paused = { ...running, state: 'SUPPLEMENT_REQUESTED' as const, history: [...running.history, step('SUPPLEMENT_REQUESTED', '2026-09-30')] };
    expect(timeouts(paused, deadlineState(paused, new Date('2026-10-08T02:00:00.000Z')), [1], 1)).toEqual([]);
    expect(timeouts(running, deadlineState({ ...running, acceptedAt: null }, new Date()), [1], 1)).toEqual([]);
  });
});
