/**
 * Who may read and change what in the services subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 *
 * A case is read by its applicant (a citizen, an enterprise, or an app acting for the citizen), by
 * staff of the department that handles its matter (`dept of record`), by auditors and admins. Staff
 * steps are allowed to staff here; that the staff member belongs to the matter's department is
 * checked against the case itself (staff.ts) and again by the hall, which refuses any other handler.
 */
import { ROLES } from '../../core/principal.ts';
import { citizenData, enterpriseData, grant, parentId, personData, viaGateway, type DisclosureMap, type Grant, type PermissionMap, type SubjectOf } from '../kit/index.ts';

/** Scope of an app reading the applications of the citizen it acts for. */
const READ = 'services:read';
/** Scope of an app filing applications for the citizen it acts for. */
const APPLY = 'services:apply';

const applicantOf: SubjectOf = (parent) => (parent as { applicant?: { id?: string } } | null)?.applicant?.id;
const departmentOfCase: SubjectOf = (parent) => (parent as { department?: string } | null)?.department;
const usccOf: SubjectOf = (parent) => (parent as { uscc?: string } | null)?.uscc;

/** Readers of a case. */
function caseReaders(withAuditor: boolean): Grant[] {
  return [
    { role: 'citizen', own: applicantOf },
    { role: 'enterprise', own: applicantOf },
    { role: 'app', own: applicantOf, scope: READ },
    { role: 'staff', departmentOf: departmentOfCase },
    ...(withAuditor ? [{ role: 'auditor' } as Grant] : []),
    { role: 'admin' },
  ];
}
/** The same readers for parts of a case, reached only through it. */
const viaCase = (withAuditor: boolean) => caseReaders(withAuditor).map(({ own: _o, departmentOf: _d, ...g }) => ({ ...g, note: 'via parent' }));

/** The public catalogue: every caller, anonymous included (it is the published 办事指南). */
const catalogue = grant('catalogue', ...ROLES.map((role) => ({ role, note: 'public' })));
/** Naming a case by number: whoever may read some case; the case's own fields then decide. */
const askCase = grant('askApplication', { role: 'citizen' }, { role: 'enterprise' }, { role: 'app', scope: READ }, { role: 'staff', note: 'any dept' }, { role: 'auditor' }, { role: 'admin' });
const caseFact = grant('applicationFact', ...caseReaders(true));
const caseDocuments = grant('applicationDocuments', ...caseReaders(false));
const partOfCase = grant('partOfApplication', ...viaCase(true));
const partOfDocuments = grant('partOfDocuments', ...viaCase(false));
/** A citizen's list of applications: themself, an app for them, staff of any department (each case then shows only its own department's), auditors, admins. */
const citizenApplications = grant('citizenApplications', { role: 'citizen', own: parentId }, { role: 'app', own: parentId, scope: READ }, { role: 'staff', note: 'any dept' }, { role: 'auditor' }, { role: 'admin' });
const enterpriseApplications = grant('enterpriseApplications', { role: 'enterprise', own: usccOf }, { role: 'staff', note: 'any dept' }, { role: 'auditor' }, { role: 'admin' });
/** Filing for oneself. */
const apply = grant('apply', { role: 'citizen' }, { role: 'enterprise' }, { role: 'app', scope: APPLY });
/** Filing a newborn bundle: a parent, or an app acting for them. */
const applyNewborn = grant('applyNewborn', { role: 'citizen' }, { role: 'app', scope: APPLY });
/** Staff steps: staff (of the matter's department, checked against the case). */
const staffStep = grant('staffStep', { role: 'staff', note: "matter's dept, checked on the case" });
/** Joins from the gateway, for every role but integrators (they read no cases). */
const join = grant('gatewayJoin', ...(['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'auditor', 'admin'] as const).map((role) => ({ role, note: 'gateway' })));

const fields = (rule: ReturnType<typeof grant>, ...names: string[]) => Object.fromEntries(names.map((n) => [n, rule]));

export const permissions: PermissionMap = {
  Query: { matters: catalogue, matter: catalogue, application: askCase, _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  Citizen: { id: citizenApplications, applications: citizenApplications },
  Enterprise: { uscc: enterpriseApplications, applications: enterpriseApplications },
  Matter: fields(catalogue, 'code', 'name', 'department', 'departmentName', 'kind', 'legalWorkingDays', 'promisedWorkingDays', 'minimumReviewWorkingDays', 'zeroMaterial', 'documents'),
  RequiredDocument: fields(catalogue, 'code', 'name', 'required'),
  Application: {
    ...fields(caseFact, 'caseNumber', 'matter', 'state', 'citizen', 'enterprise', 'submittedAt', 'acceptedAt', 'endedAt', 'promisedWorkingDays', 'deadline', 'remainingWorkingDays', 'overdue', 'paused', 'history', 'bundle'),
    documents: caseDocuments,
  },
  ApplicationStep: fields(partOfCase, 'stage', 'at', 'actor', 'note', 'part'),
  StepActor: fields(partOfCase, 'role', 'post', 'department'),
  BundlePartStep: fields(partOfCase, 'name', 'outcome'),
  Bundle: fields(partOfCase, 'state', 'parts'),
  BundlePart: fields(partOfCase, 'name', 'department', 'outcome', 'note'),
  SubmittedDocument: fields(partOfDocuments, 'material', 'fileId'),
  Mutation: {
    submitApplication: apply,
    supplementApplication: apply,
    applyNewbornBundle: applyNewborn,
    ...fields(staffStep, 'acceptApplication', 'requestSupplement', 'approveApplication', 'rejectApplication', 'completeApplication'),
  },
};

/** The applicant of a case, citizen or enterprise. */
const caseApplicant = (parent: unknown) => (parent as { applicant?: { kind: 'citizen' | 'enterprise'; id: string } } | null)?.applicant ?? null;

/**
 * Reads of a person's cases by anyone else are recorded (阳光示权): their list of applications, and of a
 * case who applied, for what, its state, documents and steps (what staff read when they handle it), one
 * record per request and applicant.
 */
export const disclosures: DisclosureMap = {
  Citizen: { applications: citizenData(parentId) },
  Enterprise: { applications: enterpriseData(usccOf) },
  // Who applied, for what, and how far it got are the applicant's data as much as the documents are.
  Application: {
    citizen: personData(caseApplicant),
    enterprise: personData(caseApplicant),
    matter: personData(caseApplicant),
    state: personData(caseApplicant),
    documents: personData(caseApplicant),
    history: personData(caseApplicant),
  },
};
