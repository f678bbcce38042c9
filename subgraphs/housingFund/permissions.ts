/**
 * Who may read and change what in the housing fund subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 */
import { citizenData, grant, parentId, viaGateway, type DisclosureMap, type Grant, type PermissionMap, type SubjectOf } from '../kit/index.ts';

const DEPARTMENT = 'housingFund';
/** Scope of an app reading the fund account of the citizen it acts for. */
const READ = 'housingFund:read';
/** Scope of an app filing a withdrawal for the citizen it acts for. */
const WITHDRAW = 'housingFund:withdraw';

const applicant: SubjectOf = (_p, args) => (args.input as { citizenId?: string } | undefined)?.citizenId;

/** The account's readers. */
const recordReaders: Grant[] = [
  { role: 'citizen', own: parentId },
  { role: 'app', own: parentId, scope: READ },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
];

/** A citizen's fund account (and this subgraph's copy of the key). */
const fundRecord = grant('fundRecord', ...recordReaders);
/** Fields of an account and its withdrawals are reached only through `Citizen.housingFund` or a mutation's answer. */
const partOfRecord = grant(
  'partOfRecord',
  ...recordReaders.map(({ own: _own, ...g }) => ({ ...g, note: 'via parent' })),
  { role: 'app', scope: WITHDRAW, note: 'via parent' },
);
/** Filing a withdrawal: the holder, an app acting for them, a fund counter clerk, an admin. */
const applyWithdrawal = grant(
  'applyWithdrawal',
  { role: 'citizen', own: applicant },
  { role: 'app', own: applicant, scope: WITHDRAW },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
);
/** Reviewing is the fund's power alone: its staff, nobody else (not even an admin). */
const reviewWithdrawal = grant('reviewWithdrawal', { role: 'staff', department: DEPARTMENT });
/**
 * Joins from the gateway, for every role but integrators (their key is masked, see population), and
 * enterprises (no citizen's fund is theirs to join).
 */
const join = grant('gatewayJoin', ...(['anonymous', 'citizen', 'staff', 'app', 'auditor', 'admin'] as const).map((role) => ({ role, note: 'gateway' })));

export const permissions: PermissionMap = {
  Query: { _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  Citizen: { id: fundRecord, housingFund: fundRecord },
  HousingFundAccount: Object.fromEntries(
    ['accountNo', 'balance', 'carriedOver', 'depositedThisYear', 'depositBase', 'personalRate', 'employerRate', 'paidUpTo', 'status', 'openedOn', 'withdrawals'].map((f) => [f, partOfRecord]),
  ),
  HousingFundWithdrawal: Object.fromEntries(['requestNo', 'reason', 'amount', 'status', 'submittedAt', 'reviewNote'].map((f) => [f, partOfRecord])),
  Mutation: { applyHousingFundWithdrawal: applyWithdrawal, reviewHousingFundWithdrawal: reviewWithdrawal },
};

/** Reads of a citizen's fund account by anyone else are recorded (阳光示权), one record per request and citizen. */
export const disclosures: DisclosureMap = {
  Citizen: { housingFund: citizenData(parentId) },
};
