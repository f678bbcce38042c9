/**
 * Documents submitted once (电子证照), through the whole city: a zero-material application gets its
 * household register from the registry and the citizen sees that use; staff's checks of each seeded
 * bad certificate give their code, in the answer and in the supervision record; someone else's,
 * unknown or wrong-type documents are refused with nothing changed; a library that is down or answers
 * garbage keeps a case from being approved; a holder sees their own documents and nobody else does.
 * One city for the file, on a set clock: Friday 9 October 2026.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, DEMO_HOUSEHOLD_NUMBER, DEMO_SPOUSE_ID } from '../adapters/population/standin/index.ts';
import { DEMO_DOCUMENTS } from '../adapters/licenceLibrary/standin/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

const CLOCK = '2026-10-09T09:00:00+08:00';
const HOUSEHOLD_PAGE = `DZZZ-HKB-${DEMO_HOUSEHOLD_NUMBER}-01`;
let t: TestCity;
let citizen: string;
let spouse: string;
let populationStaff: string;
let insuranceStaff: string;
let fundStaff: string;
let parkingStaff: string;
let auditor: string;

const SUBMIT = `mutation Submit($code: ID!, $docs: [DocumentInput!]!, $key: ID!) {
  submitApplication(matterCode: $code, documents: $docs, idempotencyKey: $key) { caseNumber state documents { material fileId } } }`;
const ACCEPT = `mutation($n: ID!) { acceptApplication(caseNumber: $n) { state } }`;
const APPROVE = `mutation($n: ID!) { approveApplication(caseNumber: $n, note: "同意") { state } }`;
const USE = `mutation Use($n: ID!, $d: ID!, $p: String!) { useDocument(caseNumber: $n, documentId: $d, purpose: $p) {
  valid caseNumber checkedAt document { id type status issuer issuerDepartment } } }`;
const USES = `query($id: ID!) { citizen(id: $id) { documentUses(first: 100) { documentId certificateType department by matterCode caseNumber purpose outcome errorCode recordSeq } } }`;
const LOG = `query($n: String!) { mutationLog(filter: { caseNumber: $n, department: "documents" }, first: 100) { edges { node { seq kind field powerItem outcome errorCode caseNumber args subject { kind } } } } }`;
const CASE = `query($n: ID!) { application(caseNumber: $n) { state history { stage } } }`;

type Reply = Awaited<ReturnType<TestCity['query']>>;
const ok = (r: Reply, field: string) => {
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data[field];
};
const codeOf = (r: Reply) => r.body.errors?.[0]?.extensions?.code;
const doc = (material: string, fileId: string, holderId = DEMO_CITIZEN_ID) => ({ material, holderId, fileId });
let keys = 0;
const file = async (code: string, docs: ReturnType<typeof doc>[], token = citizen) =>
  ok(await t.query(SUBMIT, { token, variables: { code, docs, key: `documents-test-${String(++keys).padStart(4, '0')}` } }), 'submitApplication');
const useRecords = async (n: string) => {
  const r = await t.query(LOG, { token: auditor, variables: { n } });
  return ok(r, 'mutationLog').edges.map((e: any) => e.node);
};

beforeAll(async () => {
  t = await startTestCity({ env: { LOG_LEVEL: 'warn', CITYGRAPH_CLOCK: CLOCK } });
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  spouse = await t.token({ role: 'citizen', sub: DEMO_SPOUSE_ID });
  populationStaff = await t.token({ role: 'staff', sub: 'staff-ga-0301', department: 'population' });
  insuranceStaff = await t.token({ role: 'staff', sub: 'staff-yb-0301', department: 'medicalInsurance' });
  fundStaff = await t.token({ role: 'staff', sub: 'staff-gjj-0301', department: 'housingFund' });
  parkingStaff = await t.token({ role: 'staff', sub: 'staff-jt-0301', department: 'parking' });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-documents' });
}, 120_000);
afterAll(() => t?.stop());

describe('a zero-material application', () => {
  it('succeeds with the household register fetched from the registry, the citizen sees that use, and the case can be approved', async () => {
    const before = (await t.stats('population-standin')).requests;
    const filed = await file('GA0105', []);
    expect(filed).toMatchObject({ state: 'SUBMITTED', documents: [{ material: 'HKB', fileId: HOUSEHOLD_PAGE }] });
    // The registry was asked (its household query), not the citizen.
    expect((await t.stats('population-standin')).requests).toBeGreaterThan(before);

    const uses = ok(await t.query(USES, { token: citizen, variables: { id: DEMO_CITIZEN_ID } }), 'citizen').documentUses;
    expect(uses.find((u: any) => u.caseNumber === filed.caseNumber)).toEqual({
      documentId: HOUSEHOLD_PAGE,
      certificateType: 'HOUSEHOLD_REGISTER',
      department: 'population',
      by: 'PLATFORM',
      matterCode: 'GA0105',
      caseNumber: filed.caseNumber,
      purpose: '零材料办理：向户籍管理部门调取居民户口簿',
      outcome: 'SUCCESS',
      errorCode: null,
      recordSeq: expect.any(Number),
    });
    const records = await useRecords(filed.caseNumber);
    expect(records.map((r: any) => [r.kind, r.field, r.powerItem, r.outcome])).toEqual([
      ['INTENT', 'Mutation.useDocument', 'ZZ-YZ-01', 'PENDING'],
      ['OUTCOME', 'Mutation.useDocument', 'ZZ-YZ-01', 'SUCCESS'],
    ]);
    expect(JSON.parse(records[0].args)).toMatchObject({ documentId: HOUSEHOLD_PAGE, certificateType: 'HOUSEHOLD_REGISTER', by: 'PLATFORM', caseNumber: filed.caseNumber });
    expect(records[0].subject).toEqual({ kind: 'citizen' });

    ok(await t.query(ACCEPT, { token: populationStaff, variables: { n: filed.caseNumber } }), 'acceptApplication');
    expect(ok(await t.query(APPROVE, { token: populationStaff, variables: { n: filed.caseNumber } }), 'approveApplication').state).toBe('APPROVED');
  });
});

describe('staff checking a document for a case', () => {
  it('gives each seeded bad certificate its code, in the answer and in the supervision record', async () => {
    const insurance = await file('YB0203', [doc('SFZ', DEMO_DOCUMENTS.expiredIdCard), doc('CBPZ', DEMO_DOCUMENTS.revoked)]);
    const fund = await file('GJ0302', [doc('SFZ', DEMO_DOCUMENTS.idCard), doc('GFHT', 'WJ-GFHT-0001'), doc('FKPZ', 'WJ-FKPZ-0001'), doc('CQZM', DEMO_DOCUMENTS.tamperedHash)]);
    const parking = await file('JT0504', [doc('SFZ', DEMO_DOCUMENTS.idCard), doc('CJRZ', DEMO_DOCUMENTS.tamperedSignature)]);
    const attempts: Array<[string, string, string, string]> = [
      [insuranceStaff, insurance.caseNumber, DEMO_DOCUMENTS.expiredIdCard, 'DOCUMENT_EXPIRED'],
      [insuranceStaff, insurance.caseNumber, DEMO_DOCUMENTS.revoked, 'DOCUMENT_REVOKED'],
      [fundStaff, fund.caseNumber, DEMO_DOCUMENTS.tamperedHash, 'DOCUMENT_TAMPERED'],
      [parkingStaff, parking.caseNumber, DEMO_DOCUMENTS.tamperedSignature, 'DOCUMENT_TAMPERED'],
      // The wife's ID card for the husband's case; an identifier the library does not hold; a marriage certificate for an insurance matter.
      [insuranceStaff, insurance.caseNumber, DEMO_DOCUMENTS.spouseIdCard, 'DOCUMENT_NOT_HOLDER'],
      [insuranceStaff, insurance.caseNumber, 'DZZZ-SFZ-9999', 'DOCUMENT_UNKNOWN'],
      [insuranceStaff, insurance.caseNumber, DEMO_DOCUMENTS.marriage, 'DOCUMENT_WRONG_TYPE'],
    ];
    for (const [token, n, d, code] of attempts) {
      const r = await t.query(USE, { token, variables: { n, d, p: '受理审查' } });
      expect(r.body.data.useDocument, d).toBeNull();
      expect(r.body.errors?.[0]?.extensions, d).toMatchObject({ code, details: { documentId: d } });
    }
    const outcomes = [...(await useRecords(insurance.caseNumber)), ...(await useRecords(fund.caseNumber)), ...(await useRecords(parking.caseNumber))].filter((r: any) => r.kind === 'OUTCOME');
    expect(outcomes.map((r: any) => [r.field, r.outcome, r.errorCode]).sort()).toEqual(
      attempts.map(([, , , code]) => ['Mutation.useDocument', 'ERROR', code]).sort(),
    );
    // The subject of a use is the document's holder: the wife for her ID card, the library knowing no one for an unknown id.
    const intents = (await useRecords(insurance.caseNumber)).filter((r: any) => r.kind === 'INTENT');
    const args = intents.map((r: any) => JSON.parse(r.args));
    expect(args.map((a: any) => [a.documentId, a.certificateType, a.by, a.matterCode])).toEqual([
      [DEMO_DOCUMENTS.expiredIdCard, 'ID_CARD', 'STAFF', 'YB0203'],
      [DEMO_DOCUMENTS.revoked, 'MEDICAL_INSURANCE_CERTIFICATE', 'STAFF', 'YB0203'],
      [DEMO_DOCUMENTS.spouseIdCard, 'ID_CARD', 'STAFF', 'YB0203'],
      ['DZZZ-SFZ-9999', null, 'STAFF', 'YB0203'],
      [DEMO_DOCUMENTS.marriage, 'MARRIAGE_CERTIFICATE', 'STAFF', 'YB0203'],
    ]);
    expect(intents[3].subject).toBeNull();

    // The holder sees the failed checks too, with their codes.
    const uses = ok(await t.query(USES, { token: citizen, variables: { id: DEMO_CITIZEN_ID } }), 'citizen').documentUses;
    expect(uses.find((u: any) => u.documentId === DEMO_DOCUMENTS.tamperedSignature)).toMatchObject({ department: 'parking', by: 'STAFF', outcome: 'ERROR', errorCode: 'DOCUMENT_TAMPERED', caseNumber: parking.caseNumber });
    // The wife's document was used for her husband's case: she sees it.
    const hers = ok(await t.query(USES, { token: spouse, variables: { id: DEMO_SPOUSE_ID } }), 'citizen').documentUses;
    expect(hers).toEqual([expect.objectContaining({ documentId: DEMO_DOCUMENTS.spouseIdCard, caseNumber: insurance.caseNumber, errorCode: 'DOCUMENT_NOT_HOLDER' })]);
  });

  it('refuses staff of another department (recorded as denied) and passes a good certificate', async () => {
    const filed = await file('YB0203', [doc('SFZ', DEMO_DOCUMENTS.idCard), doc('CBPZ', DEMO_DOCUMENTS.insurance)]);
    const foreign = await t.query(USE, { token: populationStaff, variables: { n: filed.caseNumber, d: DEMO_DOCUMENTS.idCard, p: '受理审查' } });
    expect(codeOf(foreign)).toBe('FORBIDDEN');
    const good = ok(await t.query(USE, { token: insuranceStaff, variables: { n: filed.caseNumber, d: DEMO_DOCUMENTS.idCard, p: '受理审查' } }), 'useDocument');
    expect(good).toMatchObject({ valid: true, caseNumber: filed.caseNumber, document: { id: DEMO_DOCUMENTS.idCard, type: 'ID_CARD', status: 'VALID', issuer: '沈阳市公安局', issuerDepartment: 'population' } });
    const outcomes = (await useRecords(filed.caseNumber)).filter((r: any) => r.kind === 'OUTCOME').map((r: any) => [r.outcome, r.errorCode]);
    expect(outcomes).toEqual([['DENIED', 'FORBIDDEN'], ['SUCCESS', null]]);
  });
});

describe('filing with documents that are not the applicant\'s to give', () => {
  it('refuses someone else\'s, an unknown and a wrong-type certificate with their codes; nothing is filed', async () => {
    const before = ok(await t.query(`query($id: ID!) { citizen(id: $id) { applications { caseNumber } } }`, { token: citizen, variables: { id: DEMO_CITIZEN_ID } }), 'citizen').applications.length;
    const tries: Array<[ReturnType<typeof doc>[], string]> = [
      [[doc('SFZ', DEMO_DOCUMENTS.spouseIdCard), doc('CBPZ', DEMO_DOCUMENTS.insurance)], 'DOCUMENT_NOT_HOLDER'],
      [[doc('SFZ', 'DZZZ-SFZ-9999'), doc('CBPZ', DEMO_DOCUMENTS.insurance)], 'DOCUMENT_UNKNOWN'],
      [[doc('SFZ', DEMO_DOCUMENTS.marriage), doc('CBPZ', DEMO_DOCUMENTS.insurance)], 'DOCUMENT_WRONG_TYPE'],
    ];
    for (const [docs, code] of tries) {
      const r = await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs, key: `documents-bad-${code}` } });
      expect(r.body.data.submitApplication).toBeNull();
      expect(codeOf(r)).toBe(code);
    }
    const after = ok(await t.query(`query($id: ID!) { citizen(id: $id) { applications { caseNumber } } }`, { token: citizen, variables: { id: DEMO_CITIZEN_ID } }), 'citizen').applications.length;
    expect(after).toBe(before);
    // Each attempt is recorded, refused with its code.
    const r = await t.query(`query { mutationLog(filter: { field: "Mutation.submitApplication", outcome: ERROR }, first: 100) { edges { node { errorCode } } } }`, { token: auditor });
    const codes = ok(r, 'mutationLog').edges.map((e: any) => e.node.errorCode);
    for (const [, code] of tries) expect(codes).toContain(code);
  });
});

describe('approval', () => {
  it('waits while a referenced certificate is unchecked, when its check failed, and while the library is down or answers garbage; then goes through', async () => {
    const filed = await file('YB0203', [doc('SFZ', DEMO_DOCUMENTS.idCard), doc('CBPZ', DEMO_DOCUMENTS.insurance)]);
    const n = filed.caseNumber;
    ok(await t.query(ACCEPT, { token: insuranceStaff, variables: { n } }), 'acceptApplication');
    const unchanged = async () => expect(ok(await t.query(CASE, { token: citizen, variables: { n } }), 'application')).toEqual({ state: 'ACCEPTED', history: [{ stage: 'SUBMITTED' }, { stage: 'ACCEPTED' }] });

    const unchecked = await t.query(APPROVE, { token: insuranceStaff, variables: { n } });
    expect(unchecked.body.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_UNCHECKED', details: { documentId: DEMO_DOCUMENTS.idCard, lastCheck: null } });
    await unchanged();

    ok(await t.query(USE, { token: insuranceStaff, variables: { n, d: DEMO_DOCUMENTS.insurance, p: '审批前核验' } }), 'useDocument');

    for (const mode of ['httpError', 'garbage']) {
      // Checked while the library is up; then it goes down, or answers garbage.
      ok(await t.query(USE, { token: insuranceStaff, variables: { n, d: DEMO_DOCUMENTS.idCard, p: '审批前核验' } }), 'useDocument');
      await t.fault('licenceLibrary-standin', { mode });
      try {
        const refused = await t.query(APPROVE, { token: insuranceStaff, variables: { n } });
        expect(refused.body.errors?.[0]?.extensions, mode).toMatchObject({ code: 'LICENCE_LIBRARY_UNAVAILABLE' });
        // A check while the library is down fails too, and is recorded with that code.
        const check = await t.query(USE, { token: insuranceStaff, variables: { n, d: DEMO_DOCUMENTS.idCard, p: '审批前核验' } });
        expect(codeOf(check), mode).toBe('LICENCE_LIBRARY_UNAVAILABLE');
      } finally {
        await t.fault('licenceLibrary-standin', { mode: null });
      }
      await unchanged();
    }
    // The latest check of the ID card failed (library down): approval waits for a successful one.
    const failed = await t.query(APPROVE, { token: insuranceStaff, variables: { n } });
    expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_UNCHECKED', details: { documentId: DEMO_DOCUMENTS.idCard, lastCheck: 'LICENCE_LIBRARY_UNAVAILABLE' } });
    await unchanged();

    ok(await t.query(USE, { token: insuranceStaff, variables: { n, d: DEMO_DOCUMENTS.idCard, p: '审批前核验' } }), 'useDocument');
    expect(ok(await t.query(APPROVE, { token: insuranceStaff, variables: { n } }), 'approveApplication').state).toBe('APPROVED');

    const approvals = (await t.query(`query($n: String!) { mutationLog(filter: { caseNumber: $n, field: "Mutation.approveApplication", kind: OUTCOME }, first: 20) { edges { node { outcome errorCode } } } }`, { token: auditor, variables: { n } }));
    expect(ok(approvals, 'mutationLog').edges.map((e: any) => e.node.errorCode)).toEqual(['DOCUMENT_UNCHECKED', 'LICENCE_LIBRARY_UNAVAILABLE', 'LICENCE_LIBRARY_UNAVAILABLE', 'DOCUMENT_UNCHECKED', null]);
  });
});

describe('a holder\'s documents', () => {
  it('shows the demo citizen their certificates, metadata only, with the status on the city\'s clock', async () => {
    const r = await t.query(`query($id: ID!) { citizen(id: $id) { documents { id type typeName number issuer issuerDepartment validFrom validUntil status } } }`, { token: citizen, variables: { id: DEMO_CITIZEN_ID } });
    const docs = ok(r, 'citizen').documents;
    const byId = Object.fromEntries(docs.map((d: any) => [d.id, d]));
    expect(byId[DEMO_DOCUMENTS.idCard]).toEqual({ id: DEMO_DOCUMENTS.idCard, type: 'ID_CARD', typeName: '居民身份证', number: DEMO_CITIZEN_ID, issuer: '沈阳市公安局', issuerDepartment: 'population', validFrom: '2015-05-12', validUntil: '2035-05-12', status: 'VALID' });
    expect(byId[HOUSEHOLD_PAGE]).toMatchObject({ type: 'HOUSEHOLD_REGISTER', number: DEMO_HOUSEHOLD_NUMBER, validUntil: null, status: 'VALID' });
    expect(byId[DEMO_DOCUMENTS.expiredIdCard].status).toBe('EXPIRED');
    expect(byId[DEMO_DOCUMENTS.revoked].status).toBe('REVOKED');
    expect(docs.length).toBe(9);
  });

  it('shows them to nobody else: another citizen, staff, an auditor are refused', async () => {
    const other = await t.token({ role: 'citizen', sub: DEMO_SPOUSE_ID });
    for (const token of [other, insuranceStaff, auditor]) {
      const r = await t.query(`query($id: ID!) { citizen(id: $id) { documents { id } documentUses { documentId } } }`, { token, variables: { id: DEMO_CITIZEN_ID } });
      expect(r.body.data?.citizen?.documents ?? null).toBeNull();
      expect(r.body.data?.citizen?.documentUses ?? null).toBeNull();
      expect(r.body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    }
  });
});
