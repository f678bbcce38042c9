/**
 * Who may read and change what in the population subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 *
 * Integrators see resident IDs masked: `Citizen.id` is the federation key, so a masked key cannot join
 * other departments; integrators therefore read only population fields here (`citizen:basic`) and
 * each department offers them its own yes/no check instead (`verifyIdentity`, `insuranceStatus`).
 */
import { maskResidentId } from '../../core/resident-id.ts';
import { argId, argIds, citizenData, grant, parentId, viaGateway, type DisclosureMap, type Grant, type PermissionMap, type SubjectOf } from '../kit/index.ts';

const DEPARTMENT = 'population';
/** Scope of an app reading the registry record of the citizen it acts for. */
const READ = 'citizen:read';
/** Scope of an app reading the insurance of the citizen it acts for: it enters through `citizen(id)` too. */
const READ_INSURANCE = 'insurance:read';
/** Scope of an app reading the parking records of the citizen it acts for: it enters through `citizen(id)` too. */
const READ_PARKING = 'parking:read';
/** Scope of an app reading the housing-fund account of the citizen it acts for: it enters through `citizen(id)` too. */
const READ_HOUSING_FUND = 'housingFund:read';
/** Scope of an app reading the city code uses of the citizen it acts for: it enters through `citizen(id)` too. */
const READ_CODE_USES = 'citycode:read';
/** Scope of an app changing the contact phone of the citizen it acts for. */
const WRITE_CONTACT = 'contact:write';
/** Integrator scope: name and gender of one person whose ID it holds, the ID shown masked. */
const BASIC = 'citizen:basic';
/** Integrator scope: see resident IDs unmasked. */
const PLAIN_ID = 'citizen:id';
/** Integrator scope: ask whether an ID and a name belong together, nothing more. */
const VERIFY = 'identity:verify';

const showMasked = (v: unknown) => maskResidentId(String(v));

/** The registry record's readers; `own` says which subject the citizen (or app) must be. */
function recordReaders(own: SubjectOf): Grant[] {
  return [
    { role: 'citizen', own },
    { role: 'app', own, scope: READ },
    { role: 'staff', department: DEPARTMENT },
    { role: 'admin' },
  ];
}

/**
 * The entry to a Citizen and its key: every department's readers start here, so staff of any department
 * and apps holding any read scope may name a citizen they already know the ID of, and get the key back.
 */
function entryReaders(own: SubjectOf): Grant[] {
  return [
    { role: 'citizen', own },
    { role: 'app', own, scope: READ },
    { role: 'app', own, scope: READ_INSURANCE },
    { role: 'app', own, scope: READ_PARKING },
    { role: 'app', own, scope: READ_HOUSING_FUND },
    { role: 'app', own, scope: READ_CODE_USES },
    { role: 'staff', note: 'any dept' },
    { role: 'admin' },
  ];
}

/** Asking for one citizen by ID. */
const askCitizen = grant('askCitizen', ...entryReaders(argId), { role: 'integrator', scope: BASIC }, { role: 'integrator', scope: PLAIN_ID });
/** Asking for several citizens: every ID must be the caller's own; integrators never list people. */
const askCitizens = grant('askCitizens', ...entryReaders(argIds));
/** The resident ID itself (the federation key); integrators see it masked unless they hold `citizen:id`. */
const citizenKey = grant(
  'citizenKey',
  ...entryReaders(parentId),
  { role: 'integrator', scope: BASIC, mask: showMasked },
  { role: 'integrator', scope: PLAIN_ID },
);
/** Name and gender: what a hotel or a scenic spot may read of the guest whose ID it holds. */
const basicFact = grant('basicFact', ...recordReaders(parentId), { role: 'integrator', scope: BASIC });
/** The rest of the registry record. */
const recordFact = grant('recordFact', ...recordReaders(parentId));
/** Parts of a record (address, ethnicity) are reached only through `Citizen.address` / `Citizen.ethnicity`. */
const partOfRecord = grant('partOfRecord', ...recordReaders(parentId).map(({ own: _own, ...g }) => ({ ...g, note: 'via parent' })));
/** Match or no match of an ID and a name. */
const verify = grant('verifyIdentity', { role: 'integrator', scope: VERIFY }, { role: 'admin' });
/** Changing a contact phone: the citizen, an app acting for them, population staff, an admin. Never an auditor. */
const changeContact = grant(
  'changeContact',
  { role: 'citizen', own: (_p, args) => args.citizenId as string },
  { role: 'app', own: (_p, args) => args.citizenId as string, scope: WRITE_CONTACT },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
);
/** The answer of a change goes to whoever was allowed to make it. */
const changeAnswer = grant(
  'changeAnswer',
  { role: 'citizen', note: 'via parent' },
  { role: 'app', scope: WRITE_CONTACT, note: 'via parent' },
  { role: 'staff', department: DEPARTMENT, note: 'via parent' },
  { role: 'admin', note: 'via parent' },
);

export const permissions: PermissionMap = {
  Query: {
    citizen: askCitizen,
    citizens: askCitizens,
    verifyIdentity: verify,
    _service: viaGateway,
    _entities: viaGateway,
  },
  _Service: { sdl: viaGateway },
  IdentityCheck: { match: verify },
  Citizen: {
    id: citizenKey,
    name: basicFact,
    gender: basicFact,
    ethnicity: recordFact,
    birthDate: recordFact,
    address: recordFact,
    phone: recordFact,
  },
  Mutation: { updateContactPhone: changeContact },
  ContactPhoneChange: { citizen: changeAnswer, requestId: changeAnswer },
  Address: { divisionCode: partOfRecord, district: partOfRecord, text: partOfRecord },
  Ethnicity: { code: partOfRecord, name: partOfRecord },
};

/**
 * The fields that show a citizen's data: each read by someone other than that citizen is an access
 * record in the population chain (one per request and citizen). The key (`Citizen.id`) is what the
 * caller already holds; `Address`/`Ethnicity` are reached only through the fields recorded here.
 */
export const disclosures: DisclosureMap = {
  Query: { verifyIdentity: citizenData(argId) },
  Citizen: {
    name: citizenData(parentId),
    gender: citizenData(parentId),
    ethnicity: citizenData(parentId),
    birthDate: citizenData(parentId),
    address: citizenData(parentId),
    phone: citizenData(parentId),
  },
};
