/**
 * Who may read what in the medical insurance subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 */
import { argId, citizenData, grant, parentId, viaGateway, type DisclosureMap, type Grant, type PermissionMap } from '../kit/index.ts';

const DEPARTMENT = 'medicalInsurance';
/** Scope of an app reading the insurance of the citizen it acts for. */
const READ = 'insurance:read';
/** Integrator scope: a hospital asking whether a patient is insured, nothing more. */
const VERIFY = 'insurance:verify';

/** The insurance record's readers. */
const recordReaders: Grant[] = [
  { role: 'citizen', own: parentId },
  { role: 'app', own: parentId, scope: READ },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
];

/** A citizen's insurance (and this subgraph's copy of the key). */
const insuranceRecord = grant('insuranceRecord', ...recordReaders);
/** Fields of an insurance record are reached only through `Citizen.insurance`. */
const partOfRecord = grant('partOfRecord', ...recordReaders.map(({ own: _own, ...g }) => ({ ...g, note: 'via parent' })));
/** The status check for hospitals: one value, no record. */
const statusCheck = grant('insuranceStatus', { role: 'integrator', scope: VERIFY }, { role: 'staff', department: DEPARTMENT }, { role: 'admin' });
/**
 * Joins from the gateway, for every role but integrators: the key they hold is masked (population's
 * `citizenKey`), and they read insurance through `insuranceStatus` instead.
 */
const join = grant('gatewayJoin', ...(['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'auditor', 'admin'] as const).map((role) => ({ role, note: 'gateway' })));

export const permissions: PermissionMap = {
  Query: { insuranceStatus: statusCheck, _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  Citizen: { id: insuranceRecord, insurance: insuranceRecord },
  Insurance: {
    status: partOfRecord,
    type: partOfRecord,
    typeCode: partOfRecord,
    balance: partOfRecord,
    insuredSince: partOfRecord,
    insuredPlace: partOfRecord,
  },
};

/** The fields that show a citizen's insurance: each read by someone else is an access record in this chain. */
export const disclosures: DisclosureMap = {
  Query: { insuranceStatus: citizenData(argId) },
  Citizen: { insurance: citizenData(parentId) },
};
